/// Whether a quantity is a cumulative register (deltas are meaningful) or an
/// instantaneous value.
public enum QuantityKind: String, Sendable, CaseIterable, Codable {
    case counter
    case gauge
}

/// How one quantity behaves: its kind and unit, and for counters the register
/// rollover and the largest plausible rate of increase.
public struct QuantitySpec: Sendable, Equatable {
    public var kind: QuantityKind
    public var unit: String
    /// The value at which the register wraps to zero (e.g. 1_000_000), if any.
    public var rollover: Double?
    /// Largest plausible increase per hour, in `unit`/h (for kWh that is kW).
    /// An increase above `maxRate × elapsed` is flagged implausible and not added.
    public var maxRate: Double?

    public init(kind: QuantityKind, unit: String, rollover: Double? = nil, maxRate: Double? = nil) {
        self.kind = kind
        self.unit = unit
        self.rollover = rollover
        self.maxRate = maxRate
    }
}

/// The built-in quantity table (README "Topics and payloads"), with config overrides applied.
///
/// Every counter has a `max_rate`, so that one absurd register value (a
/// gateway's all-ones 18446744073709551615) is flagged implausible instead of
/// becoming a delta of 1.8·10¹⁹ in every sum, chart and emission. The
/// built-in bounds are about ten times the whole cluster's mean rate (the
/// simulated fleet's figures, `Sources/KlasterSimulator/FleetCatalog.swift`), rounded up — no single
/// meter of the cluster can exceed them, and none of the cluster's meters comes near:
/// - `active_energy_kwh` 300,000 kWh/h: the cluster draws 28.0 MW (feeders
///   4,973 + 3,315 + 9,452 + 10,274 kW);
/// - `reactive_energy_kvarh` 300,000 kvarh/h: reactive power stays below
///   active power at any power factor above 0.71;
/// - `gas_volume_nm3` 600,000 Nm³/h: 49,658 + 1,916 Nm³/h;
/// - `steam_mass_t` 1,000 t/h: 67.8 + 20.8 t/h;
/// - `water_volume_m3` 100,000 m³/h: no plant figure; a large cooling-water
///   circuit moves some 10⁴ m³/h;
/// - `production_t` 1,200 t/h: 75.3 + 21.0 + 13.7 t/h;
/// - `co2_mass_kg` 500,000 kg/h: 38,380 + 3,611 kg/h.
/// A counter added in the config without `max_rate` gets `fallbackMaxRate`.
public struct QuantityTable: Sendable, Equatable {
    public static let builtIn: [String: QuantitySpec] = [
        "active_energy_kwh": .init(kind: .counter, unit: "kWh", maxRate: 300_000),
        "reactive_energy_kvarh": .init(kind: .counter, unit: "kvarh", maxRate: 300_000),
        "gas_volume_nm3": .init(kind: .counter, unit: "Nm³", maxRate: 600_000),
        "steam_mass_t": .init(kind: .counter, unit: "t", maxRate: 1_000),
        "water_volume_m3": .init(kind: .counter, unit: "m³", maxRate: 100_000),
        "production_t": .init(kind: .counter, unit: "t", maxRate: 1_200),
        "co2_mass_kg": .init(kind: .counter, unit: "kg", maxRate: 500_000),
        "active_power_kw": .init(kind: .gauge, unit: "kW"),
        "gas_flow_nm3h": .init(kind: .gauge, unit: "Nm³/h"),
        "steam_flow_th": .init(kind: .gauge, unit: "t/h"),
        "co2_rate_kgh": .init(kind: .gauge, unit: "kg/h"),
        "nox_mg_nm3": .init(kind: .gauge, unit: "mg/Nm³"),
        "temperature_c": .init(kind: .gauge, unit: "°C"),
    ]

    public var specs: [String: QuantitySpec]

    /// - Parameter overrides: `[quantities.NAME]` sections of the config; they
    ///   replace the built-in entry of the same name or add a new quantity.
    public init(overrides: [String: QuantitySpec] = [:]) {
        var specs = Self.builtIn
        for (name, var spec) in overrides {
            if spec.kind == .counter && spec.maxRate == nil { spec.maxRate = Self.fallbackMaxRate }
            specs[name] = spec
        }
        self.specs = specs
    }

    /// `max_rate` of a configured counter that does not set one: 10¹² unit/h,
    /// far above any real meter, far below an all-ones 64-bit register.
    public static let fallbackMaxRate = 1e12

    /// A quantity not in the table and not configured is a gauge with no unit.
    public func spec(for quantity: String?) -> QuantitySpec {
        guard let quantity, let spec = specs[quantity] else { return QuantitySpec(kind: .gauge, unit: "") }
        return spec
    }
}
