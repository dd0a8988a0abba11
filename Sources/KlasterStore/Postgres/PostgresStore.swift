import KlasterCore
import Synchronization

/// Klaster's PostgreSQL store: the same operations, answers and output as the
/// SQLite `Store`, on a database that many ingest processes, sites and SQL
/// users (Grafana) share.
///
/// One libpq connection per `PostgresStore`, behind a `Mutex` (so the store is
/// `Sendable` the same way the SQLite store is: a sink thread may own it while
/// another thread asks it something, and calls never interleave on the
/// connection). A connection that broke (server restart, network) is replaced
/// by a new one on the next call; the call that saw it break throws `.unavailable`,
/// and nothing of its transaction is committed.
public final class PostgresStore: Sendable {
    let session: Mutex<PostgresSession>
    /// `host:port/db` (no password), for messages.
    public let target: String

    /// Connects, and creates or migrates the schema.
    /// - Parameters:
    ///   - url: `storage.url`, a libpq URI without the password.
    ///   - passwordFile: `storage.password_file`; else `KLASTER_PG_PASSWORD`, else libpq's `PGPASSWORD`.
    ///   - create: Create the schema in an empty database (writers). When
    ///     `false` (read commands), a database without the schema is
    ///     `.noInput`, like a missing SQLite file.
    ///   - widths: Bucket widths to store; a width without a table gets one.
    ///   - migrate: Apply pending migrations (default).
    /// - Throws: 77 credentials, 69 unreachable, 66 database or schema
    ///   missing, 65 not a Klaster database or a newer one, 78 bad password file.
    public init(url: String, passwordFile: String?, create: Bool = true,
                widths: [BucketWidth] = BucketWidth.defaults, migrate: Bool = true) throws(KlasterError) {
        let password = try PostgresPassword.resolve(file: passwordFile)
        let s = try PostgresSession(url: url, password: password, widths: widths)
        let version = try s.schemaVersion()
        if version == 0 && !create {
            throw KlasterError(.noInput, "PostgreSQL database \(s.connection.target) has no Klaster schema",
                               hint: "run `klaster db migrate`, `klaster ingest` or `klaster import` first")
        }
        if migrate {
            try s.migrate()
            try s.prepareWidths()
        }
        target = s.connection.target
        session = Mutex(s)
    }

    /// Runs `body` on the session with a live connection.
    func withSession<T: Sendable>(_ body: (PostgresSession) throws(KlasterError) -> T) throws(KlasterError) -> T {
        try session.withLock { (s: inout PostgresSession) throws(KlasterError) -> T in
            try s.reconnectIfNeeded()
            return try body(s)
        }
    }

    /// See `Store.apply(_:)`: one transaction per batch, bulk `unnest` inserts.
    @discardableResult
    public func apply(_ batch: Batch) throws(KlasterError) -> UInt64 {
        try withSession { (s: PostgresSession) throws(KlasterError) -> UInt64 in try s.apply(batch) }
    }

    /// See `Store.loadSeries()`.
    public func loadSeries() throws(KlasterError) -> [SeriesInfo] {
        try withSession { (s: PostgresSession) throws(KlasterError) -> [SeriesInfo] in try s.loadSeries() }
    }

    /// See `Store.loadRecent(allowedLateness:)`.
    public func loadRecent(allowedLateness: Int64) throws(KlasterError) -> [Reading] {
        try withSession { (s: PostgresSession) throws(KlasterError) -> [Reading] in try s.loadRecent(allowedLateness: allowedLateness) }
    }

    /// See `Store.stats()`.
    public func stats() throws(KlasterError) -> StoreStats {
        try withSession { (s: PostgresSession) throws(KlasterError) -> StoreStats in try s.stats() }
    }

    /// See `Store.committedSeq()`: the highest committed by any writer.
    public func committedSeq() throws(KlasterError) -> UInt64 {
        try withSession { (s: PostgresSession) throws(KlasterError) -> UInt64 in try s.committedSeq() }
    }

    /// See `Store.storedWidths()`.
    public func storedWidths() throws(KlasterError) -> [BucketWidth] {
        try withSession { (s: PostgresSession) throws(KlasterError) -> [BucketWidth] in try s.storedWidths() }
    }

    /// See `Store.buckets(seriesGlob:from:to:every:)`.
    public func buckets(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [SeriesBucket] {
        var out: [SeriesBucket] = []
        try forEachBucket(seriesGlob: seriesGlob, from: from, to: to, every: every) { out.append($0) }
        return out
    }

    /// See `Store.forEachBucket(seriesGlob:from:to:every:_:)`.
    public func forEachBucket(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64,
                              _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        try withSession { (s: PostgresSession) throws(KlasterError) in
            try s.forEachBucket(seriesGlob: seriesGlob, from: from, to: to, every: every, body)
        }
    }

    /// See `Store.series(glob:)`.
    public func series(glob: String?) throws(KlasterError) -> [SeriesSummary] {
        try withSession { (s: PostgresSession) throws(KlasterError) -> [SeriesSummary] in try s.series(glob: glob) }
    }

    /// See `Store.deadLetters(since:)`.
    public func deadLetters(since: EpochMillis?) throws(KlasterError) -> [StoredDeadLetter] {
        try withSession { (s: PostgresSession) throws(KlasterError) -> [StoredDeadLetter] in try s.deadLetters(since: since) }
    }

    /// See `Store.rebuild(from:to:quantities:)`.
    @discardableResult
    public func rebuild(from: EpochMillis, to: EpochMillis, quantities: QuantityTable) throws(KlasterError) -> Int {
        try withSession { (s: PostgresSession) throws(KlasterError) -> Int in try s.rebuild(from: from, to: to, quantities: quantities) }
    }

    /// `VACUUM (ANALYZE)` of the Klaster tables: marks dead rows reusable and refreshes planner statistics.
    public func vacuum() throws(KlasterError) {
        try withSession { (s: PostgresSession) throws(KlasterError) in try s.vacuum() }
    }

    /// See `Store.deleteExpired(now:rawRetention:bucketRetention:batchSize:)`:
    /// raw readings go by dropping whole weekly partitions, plus a batched
    /// DELETE in the one partition the cutoff cuts.
    @discardableResult
    public func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64],
                              batchSize: Int = 5_000) throws(KlasterError) -> Int {
        try withSession { (s: PostgresSession) throws(KlasterError) -> Int in
            try s.deleteExpired(now: now, rawRetention: rawRetention, bucketRetention: bucketRetention, batchSize: batchSize)
        }
    }

    /// Schema version of the database.
    public func fileSchemaVersion() throws(KlasterError) -> Int {
        try withSession { (s: PostgresSession) throws(KlasterError) -> Int in try s.schemaVersion() }
    }

    /// Applies pending migrations. - Returns: (version before, version after).
    public func migrate() throws(KlasterError) -> (from: Int, to: Int) {
        try withSession { (s: PostgresSession) throws(KlasterError) -> (from: Int, to: Int) in
            let from = try s.migrate()
            try s.prepareWidths()
            return (from, PostgresSchema.current)
        }
    }

    /// See `Store.loadAlertStates()`.
    public func loadAlertStates() throws(KlasterError) -> [String: AlertState] {
        try withSession { (s: PostgresSession) throws(KlasterError) -> [String: AlertState] in try s.loadAlertStates() }
    }

    /// See `Store.saveAlertStates(_:)`.
    public func saveAlertStates(_ states: [String: AlertState]) throws(KlasterError) {
        try withSession { (s: PostgresSession) throws(KlasterError) in try s.saveAlertStates(states) }
    }

    /// The schema version this build writes.
    public static var schemaVersion: Int { PostgresSchema.current }
}
