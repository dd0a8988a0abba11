import KlasterCore
import Synchronization

/// Klaster's SQLite store: the batch writer of the ingest daemon and the
/// queries of the CLI. Opening it creates or migrates the schema.
///
/// One connection per `Store`. The store is `Sendable` because every call
/// takes the connection's `Mutex`: a sink thread may own it while another
/// thread reads `committedSeq`, and calls never interleave on the
/// connection's prepared statements. Readers in other processes use their own
/// `Store`; WAL lets them read while this one writes.
public final class Store: Sendable {
    /// The one connection of this store; extensions in this module (alert
    /// state) use it too, so nothing opens a second connection per call.
    let connection: Mutex<StoreConnection>
    /// The file path, as opened.
    public let path: String

    /// Opens (and, with `create`, creates) a Klaster database and brings its
    /// schema to the current version.
    /// - Parameters:
    ///   - path: The database file.
    ///   - durability: `.process` → `synchronous=NORMAL`, `.power` → `FULL`.
    ///   - create: Create the file when missing. When `false`, a missing file
    ///     is `KlasterError(.noInput)` (the read commands).
    ///   - widths: Bucket widths to store; a width without a table gets one.
    ///   - migrate: Apply pending migrations (default). `false` opens an older
    ///     file as is (only `db migrate` reporting uses that).
    /// - Throws: `.noInput` (missing), `.dataError` (not a Klaster database,
    ///   corrupt, or from a newer Klaster), `.ioError`.
    public init(path: String, durability: KlasterConfig.Storage.Durability, create: Bool = true,
                widths: [BucketWidth] = BucketWidth.defaults, migrate: Bool = true) throws(KlasterError) {
        self.path = path
        self.connection = Mutex(try StoreConnection(path: path, durability: durability, create: create, widths: widths, migrate: migrate))
    }

    /// Applies one batch in ONE transaction: new series (mapping the
    /// aggregator's local ids to database ids), raw readings (insert-or-ignore
    /// by (series, ts)), bucket partials (upsert-merge like `BucketRow.merge`),
    /// dead letters and counters. Nothing of the batch is written if it throws.
    /// - Returns: The batch's `lastMessageSeq`, now committed.
    /// - Complexity: O(rows in the batch) statement executions, each O(log n).
    @discardableResult
    public func apply(_ batch: Batch) throws(KlasterError) -> UInt64 {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> UInt64 in try c.apply(batch) }
    }

    /// Every known series; ids are database ids (seed the `SeriesResolver` with them).
    public func loadSeries() throws(KlasterError) -> [SeriesInfo] {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> [SeriesInfo] in try c.loadSeries() }
    }

    /// What `Aggregator.restore` needs after a restart: per series, the last
    /// non-bad reading before its lateness window, and every reading within
    /// `allowedLateness` of its newest reading; in (series, ts) order.
    public func loadRecent(allowedLateness: Int64) throws(KlasterError) -> [Reading] {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> [Reading] in try c.loadRecent(allowedLateness: allowedLateness) }
    }

    /// Ingest totals and table sizes (`klaster stats`).
    public func stats() throws(KlasterError) -> StoreStats {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> StoreStats in try c.stats() }
    }

    /// The highest `lastMessageSeq` committed so far by any batch (0 if none).
    public func committedSeq() throws(KlasterError) -> UInt64 {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> UInt64 in try c.committedSeq() }
    }

    /// Bucket widths that have a table, ascending.
    public func storedWidths() throws(KlasterError) -> [BucketWidth] {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> [BucketWidth] in try c.storedWidths() }
    }

    /// Bucket aggregates of every series matching any of the globs, in
    /// `every`-wide buckets whose start lies in `[floor(from/every)·every, to)`,
    /// ordered by series key then start.
    /// - Parameters:
    ///   - seriesGlob: Globs over series keys (`*` one level, `**` any levels, `?` one character).
    ///   - every: Any multiple of a stored width; read from the largest stored
    ///     width that divides it and merged with `BucketRow.merge`.
    /// - Throws: `.usage` for a bad glob, `from > to`, or a width no stored width divides.
    public func buckets(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [SeriesBucket] {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> [SeriesBucket] in
            try c.buckets(seriesGlob: seriesGlob, from: from, to: to, every: every)
        }
    }

    /// Streaming form of `buckets(seriesGlob:from:to:every:)`: hands each
    /// bucket to `body` in the same order without collecting them (a year of
    /// hourly buckets of many series stays out of memory). The store is locked
    /// while it runs: do not call the store from `body`.
    public func forEachBucket(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64,
                              _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) in
            try c.forEachBucket(seriesGlob: seriesGlob, from: from, to: to, every: every, body)
        }
    }

    /// Known series matching the glob (all when `nil`), with first/last
    /// aggregated timestamps and reading counts, ordered by key.
    public func series(glob: String?) throws(KlasterError) -> [SeriesSummary] {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> [SeriesSummary] in try c.series(glob: glob) }
    }

    /// Dead letters received at or after `since` (all when `nil`), oldest first.
    public func deadLetters(since: EpochMillis?) throws(KlasterError) -> [StoredDeadLetter] {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> [StoredDeadLetter] in try c.deadLetters(since: since) }
    }

    /// Recomputes the buckets of `[from, to)` from raw readings, folding in
    /// readings that arrived too late to be aggregated. The range is widened
    /// to whole buckets of the largest stored width; the counter delta of its
    /// first reading is taken against the reading before it. One transaction.
    /// - Parameters:
    ///   - quantities: Kinds, rollovers and max rates for the counter deltas.
    /// - Returns: How many raw readings were replayed.
    @discardableResult
    public func rebuild(from: EpochMillis, to: EpochMillis, quantities: QuantityTable) throws(KlasterError) -> Int {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> Int in try c.rebuild(from: from, to: to, quantities: quantities) }
    }

    /// `VACUUM` and `PRAGMA optimize`: gives freed pages back to the file system.
    public func vacuum() throws(KlasterError) {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) in try c.vacuum() }
    }

    /// Deletes raw readings older than `rawRetention` and bucket rows older
    /// than their width's retention, in small batches (each its own short
    /// transaction, so the daemon's writes interleave).
    /// - Returns: Rows deleted.
    @discardableResult
    public func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64],
                              batchSize: Int = 5_000) throws(KlasterError) -> Int {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> Int in
            try c.deleteExpired(now: now, rawRetention: rawRetention, bucketRetention: bucketRetention, batchSize: batchSize)
        }
    }

    /// Schema version of the open file (after migration, `Store.schemaVersion`).
    public func fileSchemaVersion() throws(KlasterError) -> Int {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> Int in try Migrations.version(of: c.db) }
    }

    /// Applies pending migrations. - Returns: (version before, version after).
    public func migrate() throws(KlasterError) -> (from: Int, to: Int) {
        try connection.withLock { (c: inout StoreConnection) throws(KlasterError) -> (from: Int, to: Int) in
            let from = try Migrations.migrate(c.db)
            try c.prepareWidths()
            return (from, Migrations.current)
        }
    }

    /// The schema version this build writes.
    public static var schemaVersion: Int { Migrations.current }
}
