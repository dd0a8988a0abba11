import KlasterCore
import Synchronization

/// The embedded store: one SQLite file (system libsqlite3, WAL), one writer
/// process — the ingest daemon or an import — and any number of readers.
///
/// One connection per `SQLiteStore`. The store is `Sendable` because every
/// call takes the connection's `Mutex`: an aggregator thread may own it while
/// another thread asks for `committedSeq`, and calls never interleave on the
/// connection's prepared statements. Readers in other processes open their
/// own `SQLiteStore`; WAL lets them read one snapshot while the writer commits.
public final class SQLiteStore: Store {
    /// The one connection of this store.
    let connection: Mutex<SQLiteConnection>
    /// The file path, as opened.
    public let path: String
    public var location: String { path }

    /// Opens (and, with `create`, creates) a Klaster database and brings its
    /// schema to the current version.
    /// - Parameters:
    ///   - path: The database file.
    ///   - durability: `.process` → `synchronous=NORMAL`, `.power` → `FULL`.
    ///   - create: Create the file when missing. When `false`, a missing file
    ///     is `KlasterError(.noInput)` (the read commands).
    ///   - widths: Bucket widths to store; a width without a table gets one.
    ///   - quantities: The quantity table (the open window's counter deltas).
    ///   - migrate: Apply pending migrations (default). `false` opens an older
    ///     file as is (only `db migrate` reporting uses that).
    ///   - readOnly: A read-only connection (the read commands): nothing is
    ///     written — no journal mode, no width tables, no schema into an empty
    ///     file — so reading works where the file cannot be written. A file at
    ///     an older schema version is still migrated, read-write.
    /// - Throws: `.noInput` (missing, or empty when `readOnly`), `.dataError`
    ///   (not a Klaster database, corrupt, or from a newer Klaster), `.ioError`;
    ///   `.noPermission` when a writer finds the file read-only.
    public init(path: String, durability: KlasterConfig.Storage.Durability, create: Bool = true,
                widths: [BucketWidth] = BucketWidth.defaults, quantities: QuantityTable = QuantityTable(),
                migrate: Bool = true, readOnly: Bool = false) throws(KlasterError) {
        self.path = path
        self.connection = Mutex(try SQLiteConnection(path: path, durability: durability, create: create && !readOnly, widths: widths,
                                                     quantities: quantities, migrate: migrate, readOnly: readOnly))
    }

    public func read<T: Sendable>(_ body: (any StoreReader) throws(KlasterError) -> T) throws(KlasterError) -> T {
        try connection.withLock { (c: inout SQLiteConnection) throws(KlasterError) -> T in
            let conn = c
            return try conn.db.readTransaction { () throws(KlasterError) -> T in try body(conn) }
        }
    }

    public func write<T: Sendable>(_ body: (any StoreWriter) throws(KlasterError) -> T) throws(KlasterError) -> T {
        try connection.withLock { (c: inout SQLiteConnection) throws(KlasterError) -> T in
            let conn = c
            // A rolled-back transaction must not leave id mappings behind.
            defer { conn.uncommittedIDMap.removeAll() }
            let result = try conn.db.transaction { () throws(KlasterError) -> T in try body(conn) }
            conn.commitIDMappings()
            return result
        }
    }

    public func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64],
                              batchSize: Int = 5_000) throws(KlasterError) -> Int {
        try connection.withLock { (c: inout SQLiteConnection) throws(KlasterError) -> Int in
            try c.deleteExpired(now: now, rawRetention: rawRetention, bucketRetention: bucketRetention, batchSize: batchSize)
        }
    }

    /// `VACUUM` and `PRAGMA optimize`: gives freed pages back to the file system.
    public func vacuum() throws(KlasterError) {
        try connection.withLock { (c: inout SQLiteConnection) throws(KlasterError) in try c.vacuum() }
    }

    public func migrate() throws(KlasterError) -> (from: Int, to: Int) {
        try connection.withLock { (c: inout SQLiteConnection) throws(KlasterError) -> (from: Int, to: Int) in
            let from = try Migrations.migrate(c.db)
            try c.prepareWidths()
            return (from, Migrations.current)
        }
    }

    /// The schema version this build writes.
    public static var schemaVersion: Int { Migrations.current }
}
