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
public struct QuantityTable: Sendable, Equatable {
    public static let builtIn: [String: QuantitySpec] = [
        "active_energy_kwh": .init(kind: .counter, unit: "kWh"),
        "reactive_energy_kvarh": .init(kind: .counter, unit: "kvarh"),
        "gas_volume_nm3": .init(kind: .counter, unit: "Nm³"),
        "steam_mass_t": .init(kind: .counter, unit: "t"),
        "water_volume_m3": .init(kind: .counter, unit: "m³"),
        "production_t": .init(kind: .counter, unit: "t"),
        "co2_mass_kg": .init(kind: .counter, unit: "kg"),
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
        for (name, spec) in overrides { specs[name] = spec }
        self.specs = specs
    }

    /// A quantity not in the table and not configured is a gauge with no unit.
    public func spec(for quantity: String?) -> QuantitySpec {
        guard let quantity, let spec = specs[quantity] else { return QuantitySpec(kind: .gauge, unit: "") }
        return spec
    }
}
