/// What Klaster knows about one series: its key (`plant/meter/quantity`, the
/// named topic levels joined by `/`), the plant and quantity levels when the
/// topic pattern has them, and the quantity's kind and unit.
public struct SeriesInfo: Sendable, Hashable {
    public var id: SeriesID
    public var key: String
    public var plant: String?
    public var quantity: String?
    public var kind: QuantityKind
    public var unit: String

    public init(id: SeriesID, key: String, plant: String?, quantity: String?, kind: QuantityKind, unit: String) {
        self.id = id
        self.key = key
        self.plant = plant
        self.quantity = quantity
        self.kind = kind
        self.unit = unit
    }
}
