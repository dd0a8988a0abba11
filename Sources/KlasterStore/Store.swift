import KlasterCore

/// Klaster's storage: raw readings (the truth), final bucket rows per width,
/// series with their frontiers, dead letters, counters and alert state.
/// Implemented by ``SQLiteStore`` (embedded, one writer process) and by the
/// PostgreSQL store (many ingesters, one database).
///
/// Every read and every write runs in one transaction that sees one snapshot
/// (GRDB's `DatabaseReader`/`DatabaseWriter` are the model): a reader never
/// sees half a batch, and a batch is written whole or not at all.
/// ```swift
/// let rows = try store.read { db in try db.buckets(seriesGlob: ["**"], from: a, to: b, every: 3_600_000) }
/// try store.write { db in try db.apply(batch) }
/// ```
/// The layout behind both backends is the same (see `schemas/klaster.sql`):
/// readings are appended in time order; a bucket row is written once its
/// series' frontier passes it (``SeriesFrontier``); what lies after a
/// frontier is computed from raw readings when it is read
/// (``StoreReader/forEachBucket(series:from:to:every:_:)``), so every
/// answer is exact at any moment and a crash loses nothing acknowledged.
public protocol Store: AnyObject, Sendable {
    /// Where the data lives, for messages (a file path, or a URL without its password).
    var location: String { get }

    /// Runs `body` in one read transaction (one consistent snapshot).
    /// - Throws: What `body` throws, or the backend's errors.
    func read<T: Sendable>(_ body: (any StoreReader) throws(KlasterError) -> T) throws(KlasterError) -> T

    /// Runs `body` in one write transaction: everything it writes commits
    /// together, or nothing does.
    func write<T: Sendable>(_ body: (any StoreWriter) throws(KlasterError) -> T) throws(KlasterError) -> T

    /// Deletes raw readings older than `rawRetention` and bucket rows older
    /// than their width's retention, in many short write transactions (so a
    /// daemon's commits interleave). Never deletes an open window's readings.
    /// - Returns: Rows deleted.
    func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64],
                       batchSize: Int) throws(KlasterError) -> Int

    /// Gives freed space back and refreshes planner statistics.
    func vacuum() throws(KlasterError)

    /// Applies pending migrations. - Returns: (version before, version after).
    func migrate() throws(KlasterError) -> (from: Int, to: Int)
}

/// What a read transaction can ask. The primitives below are what a backend
/// implements; the merged views (buckets with the open window, summaries,
/// emissions) are built on them once, in extensions shared by every backend.
public protocol StoreReader {
    /// The quantity table the open window's counter deltas are computed with.
    var quantities: QuantityTable { get }

    /// Every known series, ordered by key; ids are the store's ids.
    func loadSeries() throws(KlasterError) -> [SeriesInfo]

    /// Bucket widths that have a table, ascending.
    func storedWidths() throws(KlasterError) -> [BucketWidth]

    /// The frontier of every series that has one (series without one have
    /// no final buckets yet: all their readings are open).
    func frontiers() throws(KlasterError) -> [SeriesID: SeriesFrontier]

    /// The oldest start of any open bucket as of the last commit (`nil`: none
    /// is open). Raw readings older than this are all in final buckets.
    func openFrom() throws(KlasterError) -> EpochMillis?

    /// Raw readings with `from <= ts < to`, in ts order (ties in series order).
    /// - Parameter includeLate: Also readings stored as late (`db rebuild`).
    func forEachReading(from: EpochMillis, to: EpochMillis, includeLate: Bool,
                        _ body: (Reading) throws(KlasterError) -> Void) throws(KlasterError)

    /// Final bucket rows of one series at one stored width with
    /// `from <= start < to`, in start order.
    func forEachFinalBucket(series: SeriesInfo, width: BucketWidth, from: EpochMillis, to: EpochMillis,
                            _ body: (BucketRow) throws(KlasterError) -> Void) throws(KlasterError)

    /// First/last aggregated ts and reading count of each series in the final
    /// buckets of `width` (one query; series without rows are absent).
    func finalTotals(width: BucketWidth) throws(KlasterError) -> [SeriesID: SeriesSummary.Totals]

    /// Ingest totals and the bucket tables' row counts (final buckets only;
    /// ``StoreReader/stats()`` adds the open window's).
    func tableStats() throws(KlasterError) -> StoreStats

    /// The highest `lastMessageSeq` committed by any batch (0 if none).
    func committedSeq() throws(KlasterError) -> UInt64

    /// Dead letters received at or after `since` (all when `nil`), oldest first.
    func deadLetters(since: EpochMillis?) throws(KlasterError) -> [StoredDeadLetter]

    /// Saved alert states by rule name.
    func loadAlertStates() throws(KlasterError) -> [String: AlertState]

    /// Series marked stale (their Sparkplug edge node or device died: NDEATH,
    /// DDEATH), by store id, and since when. A backend that keeps no stale
    /// marks returns none (the default).
    func staleSeries() throws(KlasterError) -> [SeriesID: EpochMillis]

    /// The schema version of the database.
    func schemaVersion() throws(KlasterError) -> Int
}

/// What a write transaction can do (it can read too, in the same snapshot).
public protocol StoreWriter: StoreReader {
    /// Applies one batch: new series (mapping the aggregator's local ids to
    /// store ids), raw readings (insert-or-ignore by (series, ts); late ones
    /// flagged), final bucket rows (upsert-merge like `BucketRow.merge`),
    /// frontiers, dead letters and counters.
    /// - Returns: The batch's `lastMessageSeq`, committed with the transaction.
    @discardableResult
    func apply(_ batch: Batch) throws(KlasterError) -> UInt64

    /// Recomputes the final buckets of `[from, to)` from raw readings, folding
    /// in readings that arrived too late to be aggregated (they stop being
    /// late). The range is widened to whole buckets of the largest stored
    /// width and stops at each series' frontier.
    /// - Returns: How many raw readings were replayed.
    @discardableResult
    func rebuild(from: EpochMillis, to: EpochMillis) throws(KlasterError) -> Int

    /// Replaces the saved states of the given rules.
    func saveAlertStates(_ states: [String: AlertState]) throws(KlasterError)

    /// Takes the shared finalising step's locks for the rest of the write
    /// transaction, first thing in it (``StoreWriter/finalizeShared(widths:allowedLateness:now:idle:)``).
    /// - Returns: `false` when another process is finalising or queued to
    ///   (then skip the step). A backend with one writer per database
    ///   needs no lock (the default: `true`).
    func lockForSharedFinalize() throws(KlasterError) -> Bool
}

extension StoreWriter {
    /// One writer per database: nothing to serialise against.
    public func lockForSharedFinalize() throws(KlasterError) -> Bool { true }
}

extension StoreReader {
    /// No stale marks (for backends that do not store them).
    public func staleSeries() throws(KlasterError) -> [SeriesID: EpochMillis] { [:] }
}
