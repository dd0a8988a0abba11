/// A decarbonisation target (`[[targets]]`).
public struct Target: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case absolute, intensity }
    public enum Coverage: String, Sendable, Equatable { case cluster, plant }

    public var name: String
    public var scope: Coverage
    public var plant: String?
    public var kind: Kind
    public var baseYear: Int
    /// Absolute targets: base-year emissions, t CO2e.
    public var baseTonnes: Double?
    /// Intensity targets: base-year t CO2e per t of product.
    public var baseIntensity: Double?
    public var targetYear: Int
    /// Fraction reduced by `targetYear` (0.42 = 42 %).
    public var reduction: Double

    public init(name: String, scope: Coverage, plant: String? = nil, kind: Kind, baseYear: Int,
                baseTonnes: Double? = nil, baseIntensity: Double? = nil, targetYear: Int, reduction: Double) {
        self.name = name
        self.scope = scope
        self.plant = plant
        self.kind = kind
        self.baseYear = baseYear
        self.baseTonnes = baseTonnes
        self.baseIntensity = baseIntensity
        self.targetYear = targetYear
        self.reduction = reduction
    }
}
