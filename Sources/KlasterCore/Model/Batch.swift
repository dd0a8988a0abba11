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
    /// Who wrote the batch and so what the store does with it (see ``WriterRole``).
    public var role = WriterRole.sole

    public init(lastMessageSeq: UInt64) {
        self.lastMessageSeq = lastMessageSeq
    }

    public var isEmpty: Bool {
        newSeries.isEmpty && readings.isEmpty && lateReadings.isEmpty && buckets.isEmpty && frontiers.isEmpty
            && deadLetters.isEmpty && staleMarks.isEmpty && counters == IngestCounters()
    }
}

/// How a batch's writer shares the database with others.
///
/// Shared mode (README "Scaling out": PostgreSQL and `mqtt.shared_group`) splits
/// the sole writer's job in two: every ingester stores raw readings only, and a
/// finalising step that one process at a time runs (under an advisory lock)
/// computes the final buckets from the merged raw readings of all of them. So
/// counter deltas are taken over consecutive readings whichever process
/// received them.
public enum WriterRole: Sendable, Equatable {
    /// The writer aggregates what it receives itself and finalises its own
    /// series (SQLite; PostgreSQL with one ingester per series).
    case sole
    /// A shared-mode ingester's batch: raw readings, new series, dead letters,
    /// counters and stale marks, no buckets and no frontiers. The store decides
    /// lateness against the stored frontier (a reading older than its series'
    /// `final_until` is late) under the shared finalise lock, and lowers the
    /// open-window bound to the batch's oldest stored reading.
    case sharedIngest
    /// A shared finalising step's batch: final buckets and frontiers computed
    /// from the merged raw readings (series ids are the store's own), and the
    /// oldest open bucket of all series, which replaces every writer's bound.
    case sharedFinalize
}
