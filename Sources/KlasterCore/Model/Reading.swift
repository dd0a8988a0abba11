/// Identifies a series inside one process: a small integer interned from its
/// `SeriesKey`, so that a known series costs no allocation per reading.
public typealias SeriesID = UInt32

/// Milliseconds since the Unix epoch (UTC). All timestamps in Klaster use it.
public typealias EpochMillis = Int64

/// Data quality flag a meter may attach to a reading (`"q"` in the payload).
public enum Quality: UInt8, Sendable, CaseIterable {
    case good = 0
    case uncertain = 1
    /// Stored raw but never aggregated.
    case bad = 2

    public var name: String {
        switch self {
        case .good: "good"
        case .uncertain: "uncertain"
        case .bad: "bad"
        }
    }
}

/// One validated measurement of one series. A trivial value type: the ring
/// between the network thread and the aggregator carries it without allocating.
public struct Reading: Sendable, Equatable, Hashable {
    public var series: SeriesID
    /// Measurement time, epoch ms UTC.
    public var ts: EpochMillis
    public var value: Double
    /// Optional publisher sequence number (`"seq"`).
    public var seq: UInt64?
    public var quality: Quality

    public init(series: SeriesID, ts: EpochMillis, value: Double, seq: UInt64? = nil, quality: Quality = .good) {
        self.series = series
        self.ts = ts
        self.value = value
        self.seq = seq
        self.quality = quality
    }
}
