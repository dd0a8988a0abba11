import Testing
@testable import KlasterCore

/// 2025-01-01T00:00Z, 2025-06-01T00:00Z and friends as epoch ms (hand-checked with `date -d … +%s`).
private let jan2025: EpochMillis = 1_735_689_600_000
private let jun2025: EpochMillis = 1_748_736_000_000
private let mar2025: EpochMillis = 1_740_787_200_000
private let jul2025: EpochMillis = 1_751_328_000_000

@Suite struct EmissionFactorTests {
    @Test func defaultsCarryDomainFiguresAndSources() {
        let byQ = Dictionary(uniqueKeysWithValues: EmissionFactor.defaults.map { ($0.quantity, $0) })
        #expect(byQ["active_energy_kwh"]?.kgCO2ePerUnit == 0.384)
        #expect(byQ["active_energy_kwh"]?.scope == .two)
        #expect(byQ["active_energy_kwh"]?.method == .location)
        #expect(byQ["gas_volume_nm3"]?.kgCO2ePerUnit == 1.885)
        #expect(byQ["gas_volume_nm3"]?.scope == .one)
        // 62.9 kg/GJ × 2.8 GJ/t = 176.12 kg/t
        #expect(abs((byQ["steam_mass_t"]?.kgCO2ePerUnit ?? 0) - 176.12) < 1e-9)
        #expect(byQ["steam_mass_t"]?.scope == .two)
        #expect(byQ["co2_mass_kg"]?.kgCO2ePerUnit == 1.0)
        #expect(byQ["co2_rate_kgh"]?.kgCO2ePerUnit == 1.0)
        #expect(EmissionFactor.defaults.allSatisfy { !$0.source.isEmpty })
    }

    @Test func defaultsApplyOnlyWithoutConfiguredFactors() {
        #expect(EmissionFactor.effective(configured: []) == EmissionFactor.defaults)
        let one = [EmissionFactor(quantity: "gas_volume_nm3", kgCO2ePerUnit: 2.0, scope: .one, source: "x")]
        #expect(EmissionFactor.effective(configured: one) == one)
        // With a configured list, electricity has no factor at all.
        #expect(FactorTable(EmissionFactor.effective(configured: one)).factor(quantity: "active_energy_kwh", plant: nil, at: 0) == nil)
    }

    @Test func latestValidFactorWinsAndPlantBeatsGeneric() {
        let table = FactorTable([
            EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.5, scope: .two, source: "old"),
            EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.384, scope: .two, source: "2025", validFrom: jan2025),
            EmissionFactor(quantity: "active_energy_kwh", plant: "socar-polymer", kgCO2ePerUnit: 0.3, scope: .two,
                           source: "PPA", validFrom: jun2025),
            EmissionFactor(quantity: "gas_volume_nm3", kgCO2ePerUnit: 1.885, scope: .one, source: "ipcc"),
        ])
        #expect(table.factor(quantity: "active_energy_kwh", plant: "socar-polymer", at: jan2025 - 1)?.kgCO2ePerUnit == 0.5)
        #expect(table.factor(quantity: "active_energy_kwh", plant: "socar-polymer", at: jan2025)?.kgCO2ePerUnit == 0.384)
        #expect(table.factor(quantity: "active_energy_kwh", plant: "socar-polymer", at: mar2025)?.kgCO2ePerUnit == 0.384)
        #expect(table.factor(quantity: "active_energy_kwh", plant: "socar-polymer", at: jul2025)?.kgCO2ePerUnit == 0.3)
        #expect(table.factor(quantity: "active_energy_kwh", plant: "socar-karbamid", at: jul2025)?.kgCO2ePerUnit == 0.384)
        #expect(table.factor(quantity: "water_volume_m3", plant: "socar-karbamid", at: jul2025) == nil)
        #expect(table.factor(quantity: nil, plant: nil, at: jul2025) == nil)
    }

    @Test func plantSpecificWinsEvenWhenGenericIsNewer() {
        let table = FactorTable([
            EmissionFactor(quantity: "gas_volume_nm3", plant: "socar-karbamid", kgCO2ePerUnit: 1.9, scope: .one, source: "lab"),
            EmissionFactor(quantity: "gas_volume_nm3", kgCO2ePerUnit: 1.885, scope: .one, source: "ipcc", validFrom: jun2025),
        ])
        #expect(table.factor(quantity: "gas_volume_nm3", plant: "socar-karbamid", at: jul2025)?.kgCO2ePerUnit == 1.9)
        #expect(table.factor(quantity: "gas_volume_nm3", plant: "socar-polymer", at: jul2025)?.kgCO2ePerUnit == 1.885)
        #expect(table.factor(quantity: "gas_volume_nm3", plant: "socar-polymer", at: mar2025) == nil)
    }

    @Test func scope2MethodSelectsLocationOrMarket() {
        let factors = [
            EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.384, scope: .two, method: .location, source: "IFI"),
            EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.05, scope: .two, method: .market, source: "PPA"),
        ]
        #expect(FactorTable(factors).factor(quantity: "active_energy_kwh", plant: nil, at: 0)?.kgCO2ePerUnit == 0.384)
        #expect(FactorTable(factors, method: .market).factor(quantity: "active_energy_kwh", plant: nil, at: 0)?.kgCO2ePerUnit == 0.05)
    }

    @Test func tieGoesToTheFactorListedLast() {
        let table = FactorTable([
            EmissionFactor(quantity: "steam_mass_t", kgCO2ePerUnit: 170, scope: .two, source: "a", validFrom: jan2025),
            EmissionFactor(quantity: "steam_mass_t", kgCO2ePerUnit: 180, scope: .two, source: "b", validFrom: jan2025),
        ])
        #expect(table.factor(quantity: "steam_mass_t", plant: nil, at: jun2025)?.source == "b")
    }
}
