/// What the aggregator hands the store: everything one SQLite transaction
/// applies. After the commit, messages up to `lastMessageSeq` may be
/// acknowledged to the broker.
public struct Batch: Sendable {
    /// Sequence number (assigned by the ingest loop, increasing) of the last
    /// message whose readings and dead letters are all in this batch or earlier.
    public var lastMessageSeq: UInt64
    /// Series first seen since the previous batch (insert before readings).
    public var newSeries: [SeriesInfo] = []
    /// Raw readings to insert (insert-or-ignore by (series, ts)), including
    /// late ones and quality `bad` ones.
    public var readings: [Reading] = []
    /// Bucket partials to merge (upsert) into the width tables.
    public var buckets: [BucketRow] = []
    public var deadLetters: [DeadLetter] = []
    public var counters = IngestCounters()

    public init(lastMessageSeq: UInt64) {
        self.lastMessageSeq = lastMessageSeq
    }

    public var isEmpty: Bool {
        newSeries.isEmpty && readings.isEmpty && buckets.isEmpty && deadLetters.isEmpty && counters == IngestCounters()
    }
}
