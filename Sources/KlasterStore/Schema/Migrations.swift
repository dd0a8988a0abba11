import KlasterCore

/// The schema, as an ordered list of migrations. Version N is reached by
/// applying migrations 1…N in order, each in its own transaction, and
/// `meta.schema_version` says which version a file is at. Never edit a
/// shipped migration; append a new one (and update schemas/klaster.sql).
enum Migrations {
    /// The version this build of Klaster writes.
    static var current: Int { all.count }

    /// Migration `i + 1` is `all[i]`.
    static let all: [String] = [v1, v2]

    /// v1: series, raw readings, the four default bucket tables, dead letters, counters.
    static let v1 = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT, WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES ('application', 'klaster'), ('schema_version', '0');
        CREATE TABLE series (
            id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, plant TEXT, quantity TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('counter', 'gauge')), unit TEXT NOT NULL
        ) STRICT;
        CREATE TABLE readings (
            series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, seq INTEGER,
            quality INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (series, ts)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE bucket_widths (width_ms INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT;
        \(BucketWidth.defaults.map(BucketTable.ddl).joined(separator: "\n"))
        CREATE TABLE deadletter (
            id INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL,
            received_at INTEGER NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL
        ) STRICT;
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT, WITHOUT ROWID;
        """

    /// v2: dead letters are read by time (`deadletter --since`, retention).
    static let v2 = """
        CREATE INDEX deadletter_received_at ON deadletter (received_at);
        """

    /// Brings `db` to `target` (default: `current`).
    /// - Returns: The version the file was at before.
    /// - Throws: `KlasterError(.dataError)` for a file that is not a Klaster
    ///   database or one written by a newer Klaster.
    @discardableResult
    static func migrate(_ db: Database, to target: Int = current) throws(KlasterError) -> Int {
        let from = try version(of: db)
        if from > current {
            throw KlasterError(.dataError, "\(db.path) has schema version \(from), newer than this klaster understands (\(current))",
                               hint: "upgrade klaster; this build never writes to a newer database")
        }
        guard from < target else { return from }
        for v in (from + 1)...target {
            try db.transaction { () throws(KlasterError) in
                // Re-check inside the write lock: another process may have migrated meanwhile.
                let now = try version(of: db)
                guard now < v else { return }
                try db.execute(all[v - 1])
                try db.execute("UPDATE meta SET value = '\(v)' WHERE key = 'schema_version'")
            }
        }
        return from
    }

    /// The schema version of an open file: 0 for an empty (new) file.
    /// - Throws: `.dataError` when the file holds tables but is no Klaster database.
    static func version(of db: Database) throws(KlasterError) -> Int {
        let tables = try db.scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0
        if tables == 0 { return 0 }
        let hasMeta = try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'") ?? 0
        let notKlaster = KlasterError(.dataError, "\(db.path) is an SQLite database but not a Klaster database",
                                      hint: "check --db / storage.path")
        guard hasMeta == 1 else { throw notKlaster }
        let st = try db.prepare("SELECT key, value FROM meta WHERE key IN ('application', 'schema_version')")
        var app: String?
        var version: Int?
        while try st.step() {
            if st.string(0) == "application" { app = st.string(1) } else { version = Int(st.string(1)) }
        }
        guard app == "klaster", let version else { throw notKlaster }
        return version
    }
}
