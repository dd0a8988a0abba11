/// What the aggregator hands the store: everything one transaction applies.
/// After the commit, messages up to `lastMessageSeq` may be acknowledged to
/// the broker.
///
/// Raw readings are the truth and are appended with every batch. Bucket rows
/// are *final* ones only (see ``SeriesFrontier``): each batch carries the
/// finest buckets that became final since the previous batch, merged into
/// every coarser width, together with the frontiers they advance — so a
/// commit writes bucket rows in proportion to the minutes that closed, not to
/// the series it touches.
public struct Batch: Sendable {
    /// Sequence number (assigned by the ingest loop, increasing) of the last
    /// message whose readings and dead letters are all in this batch or earlier.
    public var lastMessageSeq: UInt64
    /// Series first seen since the previous batch (insert before readings).
    public var newSeries: [SeriesInfo] = []
    /// Raw readings to insert (insert-or-ignore by (series, ts)): aggregated
    /// ones and quality `bad` ones.
    public var readings: [Reading] = []
    /// Raw readings that arrived too late to be aggregated: stored flagged as
    /// late (left out of every open-window computation) until `db rebuild`
    /// folds them in.
    public var lateReadings: [Reading] = []
    /// Final bucket rows to merge (upsert) into the width tables: the finest
    /// width's buckets that became final and their share of each coarser width.
    public var buckets: [BucketRow] = []
    /// The series whose frontier these buckets advance (same transaction).
    public var frontiers: [SeriesFrontier] = []
    /// The oldest start of any bucket still open after this batch (`nil`:
    /// none is open — also what a batch of plain partials says, all of which
    /// are then final). Readers scan raw readings for the open window from here.
    public var openFrom: EpochMillis?
    public var deadLetters: [DeadLetter] = []
    /// Series marked stale or fresh (Sparkplug DEATH/BIRTH), in order.
    public var staleMarks: [SeriesStaleMark] = []
    public var counters = IngestCounters()

    public init(lastMessageSeq: UInt64) {
        self.lastMessageSeq = lastMessageSeq
    }

    public var isEmpty: Bool {
        newSeries.isEmpty && readings.isEmpty && lateReadings.isEmpty && buckets.isEmpty && frontiers.isEmpty
            && deadLetters.isEmpty && staleMarks.isEmpty && counters == IngestCounters()
    }
}
