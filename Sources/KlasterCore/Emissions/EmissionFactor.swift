/// Greenhouse-gas scope of an emission source (GHG Protocol).
public enum Scope: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Direct: fuel combustion, process emissions, stack (CEMS) measurements.
    case one = 1
    /// Purchased electricity, steam, heat.
    case two = 2
}

/// Maps a quantity (optionally of one plant) to kg CO2e per unit. Applied at
/// query time, so a revised factor changes history without re-ingesting.
public struct EmissionFactor: Sendable, Equatable {
    public enum Method: String, Sendable, Equatable { case location, market }

    public var quantity: String
    public var plant: String?
    public var kgCO2ePerUnit: Double
    public var scope: Scope
    public var method: Method?
    public var source: String
    /// First instant the factor applies to (epoch ms); `nil` = always.
    public var validFrom: EpochMillis?

    public init(quantity: String, plant: String? = nil, kgCO2ePerUnit: Double, scope: Scope,
                method: Method? = nil, source: String, validFrom: EpochMillis? = nil) {
        self.quantity = quantity
        self.plant = plant
        self.kgCO2ePerUnit = kgCO2ePerUnit
        self.scope = scope
        self.method = method
        self.source = source
        self.validFrom = validFrom
    }
}
