extension EmissionFactor {
    /// Assumed specific enthalpy of purchased process steam, GJ per tonne.
    ///
    /// Saturated steam at 10–40 bar carries 2.78–2.80 GJ/t (IAPWS-IF97 steam
    /// tables, relative to water at 0 °C); 2.8 GJ/t is the round figure, and it
    /// ignores condensate return. Override with a `[[factors]]` entry for
    /// `steam_mass_t` when the supplier states its boiler efficiency and
    /// returned-condensate enthalpy.
    public static let steamEnthalpyGJPerTonne = 2.8

    /// US EPA Emission Factors Hub: purchased steam 66.33 kg CO2/mmBtu ≈ 62.9 kg/GJ.
    public static let steamKgPerGJ = 62.9

    /// The built-in factors (docs/domain.md), used only when the config lists no
    /// `[[factors]]`. Each keeps its source and year.
    ///
    /// - Grid electricity 0.384 kg/kWh, scope 2, location-based.
    /// - Natural gas combustion 1.885 kg/Nm³, scope 1.
    /// - Purchased steam 62.9 kg/GJ × 2.8 GJ/t = 176.12 kg/t, scope 2
    ///   (the enthalpy is an assumption; see `steamEnthalpyGJPerTonne`).
    /// - CEMS stack CO2: `co2_mass_kg` counts 1 kg per kg; `co2_rate_kgh`
    ///   (a kg/h gauge) is integrated over time, 1 kg per kg/h·h. Both scope 1.
    public static let defaults: [EmissionFactor] = [
        EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.384, scope: .two, method: .location,
                       source: "IFI Harmonised Default Grid Factors 2021 v3.1, Azerbaijan, combined margin"),
        EmissionFactor(quantity: "gas_volume_nm3", kgCO2ePerUnit: 1.885, scope: .one,
                       source: "IPCC 2006 Vol.2 Table 2.2, natural gas 56.1 kg CO2/GJ (NCV), per Nm3"),
        EmissionFactor(quantity: "steam_mass_t", kgCO2ePerUnit: steamKgPerGJ * steamEnthalpyGJPerTonne, scope: .two,
                       method: .location,
                       source: "US EPA Emission Factors Hub, purchased steam 66.33 kg CO2/mmBtu = 62.9 kg/GJ, x 2.8 GJ/t assumed enthalpy"),
        EmissionFactor(quantity: "co2_mass_kg", kgCO2ePerUnit: 1.0, scope: .one,
                       source: "CEMS measured stack CO2 mass"),
        EmissionFactor(quantity: "co2_rate_kgh", kgCO2ePerUnit: 1.0, scope: .one,
                       source: "CEMS measured stack CO2 mass rate, integrated over time"),
    ]

    /// The factors in effect: the configured ones, or `defaults` when none are configured.
    public static func effective(configured: [EmissionFactor]) -> [EmissionFactor] {
        configured.isEmpty ? defaults : configured
    }
}
