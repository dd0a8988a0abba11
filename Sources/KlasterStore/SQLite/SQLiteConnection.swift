#if canImport(Glibc)
import Glibc
#endif
import CSQLite
import KlasterCore

/// The store's connection and its prepared statements; only reached through
/// `SQLiteStore`'s mutex (inside one transaction), so it needs no
/// synchronisation of its own. It is the `StoreWriter` (and `StoreReader`)
/// that `SQLiteStore.read` and `write` hand to their bodies.
final class SQLiteConnection: StoreWriter {
    let db: Database
    /// Local (aggregator) series id → database id, for series announced in a
    /// batch's `newSeries`. Ids not in the table are database ids already
    /// (the resolver was seeded from `loadSeries`).
    var idMap: [SeriesID: SeriesID] = [:]
    /// Mappings of batches applied in the running write transaction.
    var uncommittedIDMap: [SeriesID: SeriesID] = [:]

    /// After the write transaction committed: its id mappings become valid.
    /// (`SQLiteStore.write` calls it; a rolled-back transaction forgets them.)
    func commitIDMappings() {
        for (local, id) in uncommittedIDMap { idMap[local] = id }
        uncommittedIDMap.removeAll()
    }
    /// Widths the store was opened with (the config's `buckets.widths`).
    var widths: [BucketWidth] = []
    /// Kinds, rollovers and max rates for the open window's counter deltas.
    let quantities: QuantityTable
    /// Prepared final-bucket scans, per width.
    var bucketScans: [Int64: Statement] = [:]

    /// The batch writer's statements, prepared on first use and reused.
    struct WriterStatements {
        let insertSeries: Statement
        let selectSeriesID: Statement
        let insertReading: Statement
        let insertDeadLetter: Statement
        let addCounter: Statement
        let maxCounter: Statement
        let setCounter: Statement
        let deleteCounter: Statement
        let setFrontier: Statement

        init(_ db: Database) throws(KlasterError) {
            insertSeries = try db.prepare("INSERT OR IGNORE INTO series (key, plant, quantity, kind, unit) VALUES (?1, ?2, ?3, ?4, ?5)")
            selectSeriesID = try db.prepare("SELECT id FROM series WHERE key = ?1")
            insertReading = try db.prepare("INSERT OR IGNORE INTO readings (ts, series, value, seq, quality, late) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            insertDeadLetter = try db.prepare("INSERT INTO deadletter (topic, payload, received_at, reason, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
            addCounter = try db.prepare("INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value")
            maxCounter = try db.prepare("INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)")
            setCounter = try db.prepare("INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            deleteCounter = try db.prepare("DELETE FROM counters WHERE name = ?1")
            setFrontier = try db.prepare("UPDATE series SET final_until = ?2, anchor_ts = ?3, anchor_value = ?4 WHERE id = ?1")
        }
    }
    private var writerStatements: WriterStatements?

    func writer() throws(KlasterError) -> WriterStatements {
        if let w = writerStatements { return w }
        let w = try WriterStatements(db)
        writerStatements = w
        return w
    }

    var upserts: [Int64: Statement] = [:]

    /// Whether this process may create files in `path`'s directory.
    static func canCreateBeside(_ path: String) -> Bool {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        return access(dir.isEmpty ? "/" : dir, W_OK) == 0
    }

    /// How long a connection waits for another process's lock (start-up included).
    static let busyTimeoutMillis: Int64 = 10_000

    init(path: String, durability: KlasterConfig.Storage.Durability, create: Bool,
         widths: [BucketWidth], quantities: QuantityTable, migrate: Bool, readOnly: Bool = false) throws(KlasterError) {
        self.quantities = quantities
        if readOnly {
            var db = try Database(path: path, create: false, readOnly: true)
            try db.execute("PRAGMA busy_timeout = \(Self.busyTimeoutMillis)")
            let version: Int
            do throws(KlasterError) {
                version = try Migrations.version(of: db)
            } catch where error.code == .ioError && !Self.canCreateBeside(path) {
                // A WAL file in a directory this user cannot write: SQLite
                // needs to create `-shm` to read it. No `-shm` there means no
                // writer has the file open (a writer creates one), so reading
                // it as immutable sees exactly what is on disk.
                db = try Database(path: path, create: false, readOnly: true, immutable: true)
                version = try Migrations.version(of: db)
            }
            if version == 0 {
                // An empty file: a reader must not write a schema into it.
                throw KlasterError(.noInput, "database \(path) is empty", hint: "run `klaster ingest` or `klaster import` first, or pass --db")
            }
            if version >= Migrations.current || !migrate {
                self.db = db
                try db.execute("PRAGMA cache_size = -65536")
                try db.execute("PRAGMA temp_store = MEMORY")
                self.widths = widths
                return
            }
            // An older schema: only a writer can migrate it (as before).
        }
        db = try Database(path: path, create: create)
        // Readers wait for the daemon's write lock instead of failing at once.
        try db.execute("PRAGMA busy_timeout = \(Self.busyTimeoutMillis)")
        // A writer that cannot write must say so now, not at its first commit.
        if db.isReadOnly {
            throw KlasterError(.noPermission, "database \(path) is read-only",
                               hint: "the writer needs write access to the file and its directory")
        }
        // Must come before anything that reads the file, so that a non-SQLite file fails here clearly.
        _ = try Migrations.version(of: db)
        // The busy timeout covers start-up too: switching a new file to WAL
        // needs an exclusive lock, and SQLite does not wait for it by itself.
        try db.executeRetryingBusy("PRAGMA journal_mode = WAL", timeoutMillis: Self.busyTimeoutMillis)
        try db.execute("PRAGMA synchronous = \(durability == .power ? "FULL" : "NORMAL")")
        // 64 MiB of page cache: raw readings append, but finalising writes one
        // bucket row per series per closed minute into each width's (series,
        // start)-keyed table, and those leaf pages stay hot in the cache
        // (measured: schemas/klaster.sql, Benchmarks/import/README.md).
        try db.execute("PRAGMA cache_size = -65536")
        try db.execute("PRAGMA temp_store = MEMORY")
        if migrate {
            try Migrations.migrate(db)
            self.widths = widths
            try prepareWidths()
        } else {
            self.widths = widths
        }
    }

    /// Makes sure every configured width has a table, and learns the stored ones.
    func prepareWidths() throws(KlasterError) {
        let missing = try Set(widths).subtracting(storedWidths())
        if !missing.isEmpty {
            try db.transaction { () throws(KlasterError) in
                for w in missing.sorted() { try db.execute(BucketTable.ddl(w)) }
            }
        }
    }

    func storedWidths() throws(KlasterError) -> [BucketWidth] {
        let st = try db.prepare("SELECT width_ms FROM bucket_widths ORDER BY width_ms")
        var out: [BucketWidth] = []
        while try st.step() { out.append(BucketWidth(millis: st.int64(0))) }
        return out
    }

    /// The upsert statement of a width, creating its table on first use.
    func upsert(for width: BucketWidth) throws(KlasterError) -> Statement {
        if let st = upserts[width.millis] { return st }
        if try !storedWidths().contains(width) { try db.execute(BucketTable.ddl(width)) }
        let st = try db.prepare(BucketTable.upsert(width))
        upserts[width.millis] = st
        return st
    }

    func committedSeq() throws(KlasterError) -> UInt64 {
        UInt64(clamping: try db.scalarInt("SELECT value FROM counters WHERE name = 'committed_seq'") ?? 0)
    }

    func vacuum() throws(KlasterError) {
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try db.execute("VACUUM")
        try db.execute("PRAGMA optimize")
    }
}
