import KlasterCore

/// The schema, as an ordered list of migrations. Version N is reached by
/// applying migrations 1…N in order, each in its own transaction, and
/// `meta.schema_version` says which version a file is at. Never edit a
/// shipped migration; append a new one (and update schemas/klaster.sql).
enum Migrations {
    /// The version this build of Klaster writes.
    static var current: Int { all.count }

    /// Migration `i + 1` is `all[i]`.
    static let all: [String] = [v1, v2, v3, v4]

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

    /// v3: the layout whose commit cost does not grow with the fleet.
    /// - Raw readings keyed by (ts, series): a live commit appends at the
    ///   B-tree's right edge instead of touching one leaf page per series
    ///   (measured in Benchmarks/import/README.md); `late` flags readings that
    ///   were too late to aggregate (left out of open windows until `db rebuild`).
    /// - Series carry their frontier (`final_until`) and its anchor: buckets
    ///   before it are final in the bucket tables, the rest is computed from
    ///   raw readings. A v2 file holds every bucket already, so each series'
    ///   frontier goes past its newest reading, anchored on its newest good one.
    /// - `open_from` (in `counters`): where the open window's raw readings start.
    /// - `alert_state`, which earlier versions created on first use.
    static let v3 = """
        ALTER TABLE series ADD COLUMN final_until INTEGER;
        ALTER TABLE series ADD COLUMN anchor_ts INTEGER;
        ALTER TABLE series ADD COLUMN anchor_value REAL;
        UPDATE series SET
            final_until = (SELECT (max(r.ts) / (SELECT min(width_ms) FROM bucket_widths) + 1) * (SELECT min(width_ms) FROM bucket_widths)
                           FROM readings r WHERE r.series = series.id),
            anchor_ts = (SELECT r.ts FROM readings r WHERE r.series = series.id AND r.quality <> 2 ORDER BY r.ts DESC LIMIT 1),
            anchor_value = (SELECT r.value FROM readings r WHERE r.series = series.id AND r.quality <> 2 ORDER BY r.ts DESC LIMIT 1);
        CREATE TABLE readings_v3 (
            ts INTEGER NOT NULL, series INTEGER NOT NULL, value REAL NOT NULL, seq INTEGER,
            quality INTEGER NOT NULL DEFAULT 0, late INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (ts, series)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO readings_v3 (ts, series, value, seq, quality) SELECT ts, series, value, seq, quality FROM readings ORDER BY ts, series;
        DROP TABLE readings;
        ALTER TABLE readings_v3 RENAME TO readings;
        CREATE TABLE IF NOT EXISTS alert_state (
            rule TEXT PRIMARY KEY, status INTEGER NOT NULL, since INTEGER NOT NULL, level INTEGER NOT NULL,
            pending INTEGER, pending_since INTEGER, last_window_end INTEGER, value REAL
        ) STRICT, WITHOUT ROWID;
        """

    /// v4: series whose Sparkplug edge node or device is dead (NDEATH/DDEATH), since when.
    static let v4 = """
        CREATE TABLE series_stale (series INTEGER PRIMARY KEY, since INTEGER NOT NULL) STRICT;
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
        // A committed file is at version 1 or later (migration 1 writes 0 and
        // raises it in the same transaction): anything lower was edited by hand.
        guard version >= 1 else {
            throw KlasterError(.dataError, "\(db.path) has schema version \(version), which no klaster writes",
                               hint: "restore the database from a backup, or set meta.schema_version back to its real version")
        }
        return version
    }
}
