import KlasterCore

/// The NextGen cluster's annual figures (docs/domain.md) and the per-hour rates the
/// simulated meters derive from them. A continuous process plant runs
/// 8,760 h/yr; every mean rate below is an annual quantity ÷ 8,760 h, so that a
/// simulated year integrates back to the annual figure.
public enum FleetFigures {
    /// Hours in a (non-leap) year: the divisor of every rate below.
    public static let hoursPerYear = 8_760.0

    // MARK: SOCAR Polymer (socar.az)
    /// Polypropylene: 184 kt/yr → 21.005 t/h.
    public static let ppTonnesPerYear = 184_000.0
    /// High-density polyethylene: 120 kt/yr → 13.699 t/h.
    public static let hdpeTonnesPerYear = 120_000.0
    /// PP line electricity ≈ 0.45 MWh/t (extruders, compressors, pelletising):
    /// 184 kt × 450 kWh/t = 82.8 GWh/yr → 9,452 kW mean.
    public static let ppKWhPerTonne = 450.0
    /// HDPE line electricity ≈ 0.75 MWh/t (larger extruders):
    /// 120 kt × 750 kWh/t = 90.0 GWh/yr → 10,274 kW mean.
    public static let hdpeKWhPerTonne = 750.0
    /// Process steam ≈ 0.6 t per t of polymer: 304 kt × 0.6 = 182.4 kt/yr → 20.82 t/h.
    public static let polymerSteamPerTonne = 0.6
    /// Boiler gas per t of steam: ≈ 2.8 GJ/t at 90 % efficiency over a net
    /// calorific value of 33.6 MJ/Nm³ (the 1.885 kg/Nm³ ÷ 56.1 kg/GJ of IPCC
    /// 2006) ≈ 92 Nm³/t → 16.78 M Nm³/yr → 1,916 Nm³/h.
    public static let boilerGasPerTonneSteam = 92.0
    /// Polymer boiler stack NOx (gas boiler, low-NOx burners), mg/Nm³.
    public static let boilerNOx = 80.0

    // MARK: SOCAR Karbamid (socar.az)
    /// Urea: ≈ 660 kt/yr → 75.342 t/h.
    public static let ureaTonnesPerYear = 660_000.0
    /// Natural gas (feed + fuel): ≈ 435 M Nm³/yr → 49,658 Nm³/h (≈ 660 Nm³ per t urea).
    public static let karbamidGasNm3PerYear = 435_000_000.0
    /// Ammonia per t urea: 2 NH3 + CO2 → CO(NH2)2 + H2O, 2 × 17.03 / 60.06 =
    /// 0.567 t/t, ≈ 0.57 in practice: 376.2 kt/yr → 42.95 t/h.
    public static let ammoniaPerTonneUrea = 0.57
    /// Electricity ≈ 110 kWh per t urea (the big compressors are steam-turbine
    /// driven): 72.6 GWh/yr, 60 % ammonia unit (4,973 kW), 40 % urea unit (3,315 kW).
    public static let karbamidKWhPerTonneUrea = 110.0
    public static let ammoniaElectricityShare = 0.6
    /// Medium-pressure steam ≈ 0.9 t per t urea, raised from ammonia-unit waste
    /// heat: 594 kt/yr → 67.81 t/h.
    public static let ureaSteamPerTonne = 0.9
    /// Natural gas combustion, kg CO2 per Nm³ (IPCC 2006 Vol.2 Table 2.2).
    public static let gasKgCO2PerNm3 = 1.885
    /// CO2 fixed in urea, t per t (44/60, stoichiometry).
    public static let ureaCO2Fixed = 0.733
    /// Reformer stack CO2: all carbon of the gas (435 M Nm³ × 1.885 = 820.0 kt)
    /// less what urea fixes (660 kt × 0.733 = 483.8 kt) = 336.2 kt/yr → 38,380 kg/h.
    public static var reformerStackCO2kgPerHour: Double {
        (karbamidGasNm3PerYear * gasKgCO2PerNm3 - ureaTonnesPerYear * ureaCO2Fixed * 1000) / hoursPerYear
    }
    /// Primary reformer flue-gas NOx, mg/Nm³.
    public static let reformerNOx = 140.0
}

/// One published quantity of a meter.
public struct FleetChannel: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A register integrating the meter's flow (unit = flow unit × h).
        case counter
        /// An instantaneous value: `base × load^exponent`, with relative
        /// measurement noise `noise` (standard deviation).
        case gauge(base: Double, loadExponent: Double, noise: Double)
    }

    public var quantity: String
    public var kind: Kind
    /// Decimals published.
    public var decimals: Int

    public init(quantity: String, kind: Kind, decimals: Int) {
        self.quantity = quantity
        self.kind = kind
        self.decimals = decimals
    }

    public var isCounter: Bool { kind == .counter }
}

/// One simulated meter: where it is, how much flows through it on average and
/// how that follows the time of day, and what it publishes.
public struct FleetMeter: Sendable, Equatable {
    public var plant: String
    public var name: String
    /// Mean flow, in the counter's unit per hour (kWh/h = kW, Nm³/h, t/h, kg/h).
    public var meanPerHour: Double
    /// Amplitude of the daily cosine load shape (0.06 = ±6 %).
    public var dailyAmplitude: Double
    /// Hour of day (UTC) at which the daily shape peaks.
    public var dailyPeakHourUTC: Double
    public var channels: [FleetChannel]

    public init(plant: String, name: String, meanPerHour: Double, dailyAmplitude: Double,
                dailyPeakHourUTC: Double, channels: [FleetChannel]) {
        self.plant = plant
        self.name = name
        self.meanPerHour = meanPerHour
        self.dailyAmplitude = dailyAmplitude
        self.dailyPeakHourUTC = dailyPeakHourUTC
        self.channels = channels
    }

    public var hasCounter: Bool { channels.contains { $0.isCounter } }
}

/// Builds the meter list of the NextGen cluster.
///
/// The base fleet is 14 meters (24 series). `--meters N` above 14 adds
/// electricity feeders (`<area>-feeder-NN`) round-robin over the four electric
/// areas (pp, hdpe, ammonia, urea); an area's load is shared equally by its
/// feeders, so plant totals do not change with N. Below 14, the first N meters
/// of the base list are kept (production and gas first).
public enum FleetCatalog {
    public static let basePlantPolymer = "socar-polymer"
    public static let basePlantKarbamid = "socar-karbamid"
    /// Meters of the base fleet.
    public static let baseCount = 14

    /// Electricity shapes: ±6 %, peaking 15:00 Asia/Baku (11:00 UTC) — cooling
    /// and compression load follows the ambient temperature.
    static let electricAmplitude = 0.06
    static let electricPeakUTC = 11.0
    /// Process flows (gas, steam, production, stack): ±2 %, peaking 05:00 Baku
    /// (01:00 UTC) — cooler air lets the compressors push more throughput.
    static let processAmplitude = 0.02
    static let processPeakUTC = 1.0

    private struct ElectricArea {
        var plant: String
        var area: String
        var kW: Double
    }

    private static var electricAreas: [ElectricArea] {
        let f = FleetFigures.self
        let karbamidKW = f.ureaTonnesPerYear * f.karbamidKWhPerTonneUrea / f.hoursPerYear
        return [
            ElectricArea(plant: basePlantPolymer, area: "pp", kW: f.ppTonnesPerYear * f.ppKWhPerTonne / f.hoursPerYear),
            ElectricArea(plant: basePlantPolymer, area: "hdpe", kW: f.hdpeTonnesPerYear * f.hdpeKWhPerTonne / f.hoursPerYear),
            ElectricArea(plant: basePlantKarbamid, area: "ammonia", kW: karbamidKW * f.ammoniaElectricityShare),
            ElectricArea(plant: basePlantKarbamid, area: "urea", kW: karbamidKW * (1 - f.ammoniaElectricityShare)),
        ]
    }

    private static func production(_ plant: String, _ name: String, _ quantity: String, perYear: Double) -> FleetMeter {
        FleetMeter(plant: plant, name: name, meanPerHour: perYear / FleetFigures.hoursPerYear,
                   dailyAmplitude: processAmplitude, dailyPeakHourUTC: processPeakUTC,
                   channels: [FleetChannel(quantity: quantity, kind: .counter, decimals: 3)])
    }

    private static func flow(_ plant: String, _ name: String, counter: String, gauge: String, perHour: Double) -> FleetMeter {
        FleetMeter(plant: plant, name: name, meanPerHour: perHour,
                   dailyAmplitude: processAmplitude, dailyPeakHourUTC: processPeakUTC,
                   channels: [FleetChannel(quantity: counter, kind: .counter, decimals: 3),
                              FleetChannel(quantity: gauge, kind: .gauge(base: perHour, loadExponent: 1, noise: 0.005), decimals: 2)])
    }

    private static func stack(_ plant: String, _ name: String, co2kgPerHour: Double, nox: Double) -> FleetMeter {
        FleetMeter(plant: plant, name: name, meanPerHour: co2kgPerHour,
                   dailyAmplitude: processAmplitude, dailyPeakHourUTC: processPeakUTC,
                   channels: [FleetChannel(quantity: "co2_rate_kgh", kind: .gauge(base: co2kgPerHour, loadExponent: 1, noise: 0.01), decimals: 1),
                              FleetChannel(quantity: "nox_mg_nm3", kind: .gauge(base: nox, loadExponent: 0.5, noise: 0.03), decimals: 1)])
    }

    private static func feeder(_ a: ElectricArea, index: Int, of count: Int) -> FleetMeter {
        let kW = a.kW / Double(count)
        let number = index < 10 ? "0\(index)" : "\(index)"
        return FleetMeter(plant: a.plant, name: "\(a.area)-feeder-\(number)", meanPerHour: kW,
                          dailyAmplitude: electricAmplitude, dailyPeakHourUTC: electricPeakUTC,
                          channels: [FleetChannel(quantity: "active_energy_kwh", kind: .counter, decimals: 2),
                                     FleetChannel(quantity: "active_power_kw", kind: .gauge(base: kW, loadExponent: 1, noise: 0.005), decimals: 1)])
    }

    /// The fleet of `count` meters (default: the 14 of the base fleet).
    /// - Precondition: `count >= 1`.
    public static func meters(count: Int = baseCount) -> [FleetMeter] {
        precondition(count >= 1, "a fleet needs at least one meter")
        let f = FleetFigures.self
        let areas = electricAreas
        // Feeders per electric area: one each, plus the extra meters round-robin.
        let extra = max(0, count - baseCount)
        let feeders = (0..<areas.count).map { 1 + extra / areas.count + ($0 < extra % areas.count ? 1 : 0) }
        let polymerSteam = (f.ppTonnesPerYear + f.hdpeTonnesPerYear) * f.polymerSteamPerTonne / f.hoursPerYear
        let boilerGas = polymerSteam * f.boilerGasPerTonneSteam
        let karbamidGas = f.karbamidGasNm3PerYear / f.hoursPerYear
        let urea = f.ureaTonnesPerYear
        var base: [FleetMeter] = [
            production(basePlantKarbamid, "urea-line", "production_t", perYear: urea),
            production(basePlantPolymer, "pp-line", "production_t", perYear: f.ppTonnesPerYear),
            production(basePlantPolymer, "hdpe-line", "production_t", perYear: f.hdpeTonnesPerYear),
            // Ammonia is an intermediate (it all goes into urea): its own counter
            // quantity, so that the plant's `production_t` counts the product once.
            production(basePlantKarbamid, "ammonia-unit", "ammonia_t", perYear: urea * f.ammoniaPerTonneUrea),
            flow(basePlantKarbamid, "gas-inlet", counter: "gas_volume_nm3", gauge: "gas_flow_nm3h", perHour: karbamidGas),
            flow(basePlantPolymer, "boiler-gas", counter: "gas_volume_nm3", gauge: "gas_flow_nm3h", perHour: boilerGas),
        ]
        for (i, a) in areas.enumerated() { base.append(feeder(a, index: 1, of: feeders[i])) }
        base += [
            flow(basePlantKarbamid, "steam-header", counter: "steam_mass_t", gauge: "steam_flow_th",
                 perHour: urea * f.ureaSteamPerTonne / f.hoursPerYear),
            flow(basePlantPolymer, "steam-header", counter: "steam_mass_t", gauge: "steam_flow_th", perHour: polymerSteam),
            stack(basePlantKarbamid, "reformer-stack", co2kgPerHour: f.reformerStackCO2kgPerHour, nox: f.reformerNOx),
            stack(basePlantPolymer, "boiler-stack", co2kgPerHour: boilerGas * f.gasKgCO2PerNm3, nox: f.boilerNOx),
        ]
        if count <= baseCount { return Array(base.prefix(count)) }
        var next = [Int](repeating: 2, count: areas.count)
        for e in 0..<extra {
            let a = e % areas.count
            base.append(feeder(areas[a], index: next[a], of: feeders[a]))
            next[a] += 1
        }
        return base
    }
}
