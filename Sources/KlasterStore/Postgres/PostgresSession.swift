import KlasterCore

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL store's connection and what it caches; only reached through
/// `PostgresStore`'s mutex (inside one transaction), so it needs no
/// synchronisation of its own. It is the `StoreWriter` (and `StoreReader`)
/// that `PostgresStore.read` and `write` hand to their bodies.
final class PostgresSession: StoreWriter {
    private let url: String
    private let password: String?
    private(set) var connection: PGConnection
    /// Local (aggregator) series id → database id, as in the SQLite store.
    var idMap: [SeriesID: SeriesID] = [:]
    /// Mappings of batches applied in the running write transaction.
    var uncommittedIDMap: [SeriesID: SeriesID] = [:]
    /// Partitions created in the running write transaction.
    var uncommittedPartitions: Set<EpochMillis> = []
    /// Widths the store was opened with (the config's `buckets.widths`).
    let widths: [BucketWidth]
    /// Kinds, rollovers and max rates for the open window's counter deltas.
    let quantities: QuantityTable
    /// Names the cursors of this connection apart.
    var cursorCount = 0
    /// Widths known to have a table (filled on first upsert).
    var storedWidthsCache: Set<BucketWidth> = []
    /// Widths whose bucket rows skip the COPY for this many more batches (`copyBuckets`).
    var bucketCopyPaused: [BucketWidth: Int] = [:]
    /// Starts of the `readings` partitions known to exist.
    var partitions: Set<EpochMillis> = []
    /// This process's row key in `counters`: each writer adds to its own rows,
    /// so concurrent ingesters never wait on one another's counter row locks;
    /// `stats` sums them.
    let writerID: String

    init(url: String, password: String?, widths: [BucketWidth], quantities: QuantityTable) throws(KlasterError) {
        self.url = url
        self.password = password
        self.widths = widths
        self.quantities = quantities
        connection = try PGConnection(url: url, password: password)
        var rng = SystemRandomNumberGenerator()
        writerID = "\(getpid())-\(String(rng.next() as UInt64, radix: 36))"
    }

    /// After the write transaction committed: its id mappings and partitions are real.
    func commitWrites() {
        for (local, id) in uncommittedIDMap { idMap[local] = id }
        uncommittedIDMap.removeAll()
        partitions.formUnion(uncommittedPartitions)
        uncommittedPartitions.removeAll()
    }

    /// Replaces a broken connection (prepared statements and the partition
    /// cache go with it).
    func reconnectIfNeeded() throws(KlasterError) {
        guard !connection.isOK else { return }
        connection = try PGConnection(url: url, password: password)
        partitions = []
    }

    // MARK: Schema

    /// 0 for an empty database (no table in the search path's schema).
    /// - Throws: `.dataError` when it holds tables but is no Klaster database.
    func schemaVersion() throws(KlasterError) -> Int {
        let c = connection
        guard try c.scalarInt("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") ?? 0 > 0 else { return 0 }
        let notKlaster = KlasterError(.dataError, "PostgreSQL database \(c.target) holds tables but is not a Klaster database",
                                      hint: "check storage.url")
        guard try c.scalarInt("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'meta'") == 1 else {
            throw notKlaster
        }
        let r = try c.query("SELECT key, value FROM meta WHERE key IN ('application', 'schema_version')")
        var app: String?, version: Int?
        for i in 0..<r.rows {
            if r.string(i, 0) == "application" { app = r.string(i, 1) } else { version = Int(r.string(i, 1)) }
        }
        guard app == "klaster", let version else { throw notKlaster }
        return version
    }

    /// Brings the schema to `PostgresSchema.current`, each migration in its
    /// own transaction under an advisory lock, so that ingesters starting at
    /// once migrate it exactly once.
    /// - Returns: The version before.
    @discardableResult
    func migrate() throws(KlasterError) -> Int {
        let from = try schemaVersion()
        if from > PostgresSchema.current {
            throw KlasterError(.dataError, "PostgreSQL database \(connection.target) has schema version \(from), newer than this klaster understands (\(PostgresSchema.current))",
                               hint: "upgrade klaster; this build never writes to a newer database")
        }
        guard from < PostgresSchema.current else { return from }
        for v in (from + 1)...PostgresSchema.current {
            try connection.transaction { () throws(KlasterError) in
                try connection.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
                guard try schemaVersion() < v else { return }
                try connection.execute(PostgresSchema.migrations[v - 1])
                try connection.execute("UPDATE meta SET value = '\(v)' WHERE key = 'schema_version'")
            }
        }
        return from
    }

    /// Advisory lock keys (arbitrary constants, "KLAS" + a number).
    static let migrationLock: Int64 = 0x4B4C_4153_0001
    static let partitionLock: Int64 = 0x4B4C_4153_0002
    /// Shared mode's finalise lock K: every shared ingest transaction holds it
    /// shared, the finalising step exclusively (``WriterRole``).
    static let finalizeLock: Int64 = 0x4B4C_4153_0003
    /// K2, tried before K: only one process at a time even queues for K
    /// exclusively (a second one would only repeat the step behind it).
    static let finalizeQueueLock: Int64 = 0x4B4C_4153_0004

    /// See `StoreWriter.lockForSharedFinalize()`. The exclusive wait for K is
    /// blocking on purpose: ingest transactions are short but never stop on a
    /// busy fleet, so a try-lock would rarely find K free; once this request
    /// waits, PostgreSQL queues new shared requests behind it, so the wait is
    /// one commit's length.
    func lockForSharedFinalize() throws(KlasterError) -> Bool {
        guard try connection.scalarInt("SELECT pg_try_advisory_xact_lock(\(Self.finalizeQueueLock))::int") == 1 else { return false }
        try connection.execute("SELECT pg_advisory_xact_lock(\(Self.finalizeLock))")
        return true
    }

    /// Makes sure every configured width has a table and a view.
    func prepareWidths() throws(KlasterError) {
        let missing = try Set(widths).subtracting(storedWidths())
        guard !missing.isEmpty else { return }
        try connection.transaction { () throws(KlasterError) in
            try connection.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            for w in missing.sorted() { try connection.execute(PostgresSchema.bucketDDL(w)) }
        }
    }

    func storedWidths() throws(KlasterError) -> [BucketWidth] {
        let r = try connection.query("SELECT width_ms FROM bucket_widths ORDER BY width_ms")
        return (0..<r.rows).map { BucketWidth(millis: r.int64($0, 0)) }
    }

    /// The partitions of `readings` (their lower bounds), from the catalog.
    func loadPartitions() throws(KlasterError) -> Set<EpochMillis> {
        let r = try connection.query("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'readings'::regclass
            """)
        var out: Set<EpochMillis> = []
        for i in 0..<r.rows {
            let name = r.string(i, 0)
            guard name.hasPrefix("readings_"), let t = Self.partitionStart(String(name.dropFirst("readings_".count))) else { continue }
            out.insert(t)
        }
        return out
    }

    /// `20261130` → epoch ms of that day's midnight UTC.
    static func partitionStart(_ yyyymmdd: String) -> EpochMillis? {
        guard yyyymmdd.count == 8 else { return nil }
        let s = Array(yyyymmdd)
        return RFC3339.parse("\(String(s[0..<4]))-\(String(s[4..<6]))-\(String(s[6..<8]))T00:00:00Z")
    }

    /// Creates the partitions that the timestamps need and that do not exist
    /// yet, inside the caller's write transaction and before it touches
    /// `readings`, under a transaction-scoped advisory lock (so two ingesters
    /// never race on the same CREATE; the lock is held until the batch
    /// commits, which happens once a week per writer).
    func ensurePartitions<S: Sequence>(for timestamps: S) throws(KlasterError) where S.Element == EpochMillis {
        if partitions.isEmpty { partitions = try loadPartitions() }
        var needed: [EpochMillis: (name: String, from: EpochMillis, to: EpochMillis)] = [:]
        for ts in timestamps {
            let p = PostgresSchema.partition(of: ts)
            if !partitions.contains(p.from) && !uncommittedPartitions.contains(p.from) { needed[p.from] = p }
        }
        guard !needed.isEmpty else { return }
        try connection.execute("SELECT pg_advisory_xact_lock(\(Self.partitionLock))")
        for (_, p) in needed.sorted(by: { $0.key < $1.key }) {
            try connection.execute("CREATE TABLE IF NOT EXISTS \(p.name) PARTITION OF readings FOR VALUES FROM (\(p.from)) TO (\(p.to))")
            uncommittedPartitions.insert(p.from)
        }
    }
}
