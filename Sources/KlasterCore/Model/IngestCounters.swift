/// Running totals that the store adds to its `counters` table with each batch.
public struct IngestCounters: Sendable, Equatable {
    /// MQTT messages (or import records) processed, whatever their outcome.
    public var messages: Int64 = 0
    /// Readings stored raw: aggregated ones, quality `bad` ones and late ones
    /// (duplicates are not counted here).
    public var readings: Int64 = 0
    /// Readings whose (series, ts) was already seen; counted, not aggregated.
    public var duplicates: Int64 = 0
    /// Readings older than `allowed_lateness` behind their series' newest:
    /// stored raw, not aggregated until `klaster db rebuild`.
    public var late: Int64 = 0
    /// Counter increases rejected as implausible.
    public var implausible: Int64 = 0
    public var deadLetters: [RejectReason: Int64] = [:]

    public init() {}

    public mutating func add(_ o: IngestCounters) {
        messages += o.messages
        readings += o.readings
        duplicates += o.duplicates
        late += o.late
        implausible += o.implausible
        for (k, v) in o.deadLetters { deadLetters[k, default: 0] += v }
    }

    public var deadLetterTotal: Int64 { deadLetters.values.reduce(0, +) }
}
