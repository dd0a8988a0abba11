import KlasterCore
import Synchronization

/// Klaster's PostgreSQL store: the same layout, answers and output as
/// ``SQLiteStore``, on a database that many ingest processes, sites and SQL
/// users (Grafana) share.
///
/// One libpq connection per `PostgresStore`, behind a `Mutex` (so the store
/// is `Sendable` the way the SQLite store is: an aggregator thread may own it
/// while another thread asks it something, and calls never interleave on the
/// connection). `read {}` runs in one `REPEATABLE READ READ ONLY` transaction
/// (one snapshot for every statement of the body), `write {}` in one `READ
/// COMMITTED` transaction. A connection that broke (server restart, network)
/// is replaced by a new one on the next call; the call that saw it break
/// throws `.unavailable`, and nothing of its transaction is committed.
public final class PostgresStore: Store {
    let session: Mutex<PostgresSession>
    /// `host:port/db` (no password), for messages.
    public let location: String

    /// Connects, and creates or migrates the schema.
    /// - Parameters:
    ///   - url: `storage.url`, a libpq URI without the password.
    ///   - passwordFile: `storage.password_file`; else `KLASTER_PG_PASSWORD`, else libpq's `PGPASSWORD`.
    ///   - create: Create the schema in an empty database (writers). When
    ///     `false` (read commands), a database without the schema is
    ///     `.noInput`, like a missing SQLite file.
    ///   - widths: Bucket widths to store; a width without a table gets one.
    ///   - quantities: The quantity table (the open window's counter deltas).
    ///   - migrate: Apply pending migrations (default).
    /// - Throws: 77 credentials, 69 unreachable, 66 database or schema
    ///   missing, 65 not a Klaster database or a newer one, 78 bad password file.
    public init(url: String, passwordFile: String?, create: Bool = true, widths: [BucketWidth] = BucketWidth.defaults,
                quantities: QuantityTable = QuantityTable(), migrate: Bool = true) throws(KlasterError) {
        let password = try PostgresPassword.resolve(file: passwordFile)
        let s = try PostgresSession(url: url, password: password, widths: widths, quantities: quantities)
        let version = try s.schemaVersion()
        if version == 0 && !create {
            throw KlasterError(.noInput, "PostgreSQL database \(s.connection.target) has no Klaster schema",
                               hint: "run `klaster db migrate`, `klaster ingest` or `klaster import` first")
        }
        if migrate {
            try s.migrate()
            try s.prepareWidths()
        }
        location = s.connection.target
        session = Mutex(s)
    }

    /// Runs `body` on the session with a live connection, outside any transaction.
    func withSession<T: Sendable>(_ body: (PostgresSession) throws(KlasterError) -> T) throws(KlasterError) -> T {
        try session.withLock { (s: inout PostgresSession) throws(KlasterError) -> T in
            try s.reconnectIfNeeded()
            return try body(s)
        }
    }

    public func read<T: Sendable>(_ body: (any StoreReader) throws(KlasterError) -> T) throws(KlasterError) -> T {
        try withSession { (s: PostgresSession) throws(KlasterError) -> T in
            try s.connection.transaction("REPEATABLE READ READ ONLY") { () throws(KlasterError) -> T in try body(s) }
        }
    }

    public func write<T: Sendable>(_ body: (any StoreWriter) throws(KlasterError) -> T) throws(KlasterError) -> T {
        try withSession { (s: PostgresSession) throws(KlasterError) -> T in
            // A rolled-back transaction must not leave id mappings or partitions behind.
            defer { s.uncommittedIDMap.removeAll(); s.uncommittedPartitions.removeAll() }
            do throws(KlasterError) {
                let result = try s.connection.transaction { () throws(KlasterError) -> T in try body(s) }
                s.commitWrites()
                return result
            } catch where error.message.contains("no partition of relation") {
                // Another process's retention dropped a week this session still
                // believed in (a very late reading): forget the cache, create it, once more.
                s.uncommittedIDMap.removeAll()
                s.uncommittedPartitions.removeAll()
                s.partitions = []
                let result = try s.connection.transaction { () throws(KlasterError) -> T in try body(s) }
                s.commitWrites()
                return result
            }
        }
    }

    /// See `Store.deleteExpired(now:rawRetention:bucketRetention:batchSize:)`:
    /// raw readings go by dropping whole weekly partitions, plus batched
    /// DELETEs in the one partition the cutoff cuts; each step is its own
    /// short transaction.
    public func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64],
                              batchSize: Int = 5_000) throws(KlasterError) -> Int {
        try withSession { (s: PostgresSession) throws(KlasterError) -> Int in
            try s.deleteExpired(now: now, rawRetention: rawRetention, bucketRetention: bucketRetention, batchSize: batchSize)
        }
    }

    /// `VACUUM (ANALYZE)`: marks dead rows reusable and refreshes planner statistics.
    public func vacuum() throws(KlasterError) {
        try withSession { (s: PostgresSession) throws(KlasterError) in try s.connection.execute("VACUUM (ANALYZE)") }
    }

    public func migrate() throws(KlasterError) -> (from: Int, to: Int) {
        try withSession { (s: PostgresSession) throws(KlasterError) -> (from: Int, to: Int) in
            let from = try s.migrate()
            try s.prepareWidths()
            return (from, PostgresSchema.current)
        }
    }

    /// The schema version this build writes.
    public static var schemaVersion: Int { PostgresSchema.current }
}
