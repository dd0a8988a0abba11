import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

@Test func openingAV1DatabaseMigratesItKeepingData() throws {
    let dir = try TemporaryDirectory(prefix: "migrate")
    let path = dir.file("v1.db")
    do {
        // A database as the first schema version left it, with data.
        let db = try Database(path: path, create: true)
        try Migrations.migrate(db, to: 1)
        try db.execute("INSERT INTO series (id, key, plant, quantity, kind, unit) VALUES (1, 'p/m/active_power_kw', 'p', 'active_power_kw', 'gauge', 'kW')")
        try db.execute("INSERT INTO readings (series, ts, value, quality) VALUES (1, \(t0), 4.5, 0)")
        try db.execute("INSERT INTO buckets_1h (series, start, count, sum, min, max, first_ts, first, last_ts, last, delta) VALUES (1, \(t0), 1, 4.5, 4.5, 4.5, \(t0), 4.5, \(t0), 4.5, NULL)")
        #expect(try Migrations.version(of: db) == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'deadletter_received_at'") == 0)
    }
    let store = try SQLiteStore(path: path, durability: .process, create: false)
    #expect(try store.fileSchemaVersion() == SQLiteStore.schemaVersion)
    #expect(SQLiteStore.schemaVersion == 4)
    let rows = try store.buckets(seriesGlob: ["p/*/*"], from: t0, to: t0 + 3_600_000, every: 3_600_000)
    #expect(rows.count == 1 && rows[0].row.sum == 4.5)
    let db = try Database(path: path, create: false)
    #expect(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'deadletter_received_at'") == 1)
}

/// A database written by the v2 layout (raw readings keyed by (series, ts),
/// every bucket upserted on every commit, alert_state created on first use)
/// migrates to v3 without losing or doubling anything, and ingestion
/// continues its counter deltas from the newest reading before the upgrade.
@Test func aV2DatabaseMigratesToTheV3LayoutAndIngestionContinues() throws {
    let dir = try TemporaryDirectory(prefix: "migrate")
    let path = dir.file("v2.db")
    let minute: Int64 = 60_000
    do {
        let db = try Database(path: path, create: true)
        try Migrations.migrate(db, to: 2)
        try db.execute("INSERT INTO series (id, key, plant, quantity, kind, unit) VALUES (1, '\(energy.key)', 'socar-polymer', 'active_energy_kwh', 'counter', 'kWh')")
        for i in 0..<10 {
            let ts = t0 + Int64(i) * minute
            try db.execute("INSERT INTO readings (series, ts, value, quality) VALUES (1, \(ts), \(100 + 10 * i), 0)")
            try db.execute("""
                INSERT INTO buckets_1m (series, start, count, sum, min, max, first_ts, first, last_ts, last, delta)
                VALUES (1, \(ts), 1, \(100 + 10 * i), \(100 + 10 * i), \(100 + 10 * i), \(ts), \(100 + 10 * i), \(ts), \(100 + 10 * i), \(i == 0 ? 0 : 10))
                """)
        }
        // A bad reading after the newest good one: stored raw, never an anchor.
        try db.execute("INSERT INTO readings (series, ts, value, quality) VALUES (1, \(t0 + 10 * minute), 5, 2)")
        try db.execute("INSERT INTO buckets_1h (series, start, count, sum, min, max, first_ts, first, last_ts, last, delta) VALUES (1, \(t0), 10, 1450, 100, 190, \(t0), 100, \(t0 + 9 * minute), 190, 90)")
        try db.execute(SQLiteStoreTestDDL.v2AlertState)
        try db.execute("INSERT INTO alert_state (rule, status, since, level) VALUES ('r', 0, \(t0), 0)")
    }
    let store = try SQLiteStore(path: path, durability: .process, create: false)
    #expect(try store.fileSchemaVersion() == 4)
    #expect(try allReadings(store).count == 11)
    let state = try store.ingestRestoreState()
    // The frontier goes past the newest reading (a bad one at 10m): v2 stored every bucket.
    #expect(state.frontiers == [SeriesFrontier(series: 1, finalUntil: t0 + 11 * minute,
                                               anchor: SeriesFrontier.Anchor(ts: t0 + 9 * minute, value: 190))])
    #expect(state.open.isEmpty)
    #expect(try store.loadAlertStates()["r"]?.since == t0)
    let hour = try store.buckets(seriesGlob: ["**"], from: t0, to: t0 + 60 * minute, every: 3_600_000)
    #expect(hour.map(\.row.count) == [10] && hour.map(\.row.delta) == [90])

    // Ingestion continues: the first new reading's delta is taken from 190.
    let more = (11..<20).map { Reading(series: 1, ts: t0 + Int64($0) * minute, value: Double(100 + 10 * $0)) }
    try ingest(store, series: [], readings: more)
    let after = try store.buckets(seriesGlob: ["**"], from: t0, to: t0 + 60 * minute, every: 3_600_000)
    #expect(after.map(\.row.count) == [19])
    #expect(after.map(\.row.delta) == [190])   // 90 before + (210 − 190) + 8 × 10
}

/// The DDL v2 code ran on first use of alert state (now part of migration 3).
enum SQLiteStoreTestDDL {
    static let v2AlertState = """
        CREATE TABLE IF NOT EXISTS alert_state (
            rule TEXT PRIMARY KEY, status INTEGER NOT NULL, since INTEGER NOT NULL, level INTEGER NOT NULL,
            pending INTEGER, pending_since INTEGER, last_window_end INTEGER, value REAL
        ) STRICT, WITHOUT ROWID;
        """
}

@Test func newerSchemaIsRefused() throws {
    let dir = try TemporaryDirectory(prefix: "migrate")
    let path = dir.file("new.db")
    _ = try SQLiteStore(path: path, durability: .process)
    let db = try Database(path: path, create: false)
    try db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    #expect {
        _ = try SQLiteStore(path: path, durability: .process)
    } throws: { e in
        guard let e = e as? KlasterError else { return false }
        return e.code == .dataError && e.message.contains("99") && e.message.contains("newer")
    }
}

@Test func foreignSQLiteFileGarbageAndMissingFilesGetClearErrors() throws {
    let dir = try TemporaryDirectory(prefix: "migrate")
    let foreign = dir.file("foreign.db")
    do {
        let db = try Database(path: foreign, create: true)
        try db.execute("CREATE TABLE people (name TEXT)")
    }
    #expect { _ = try SQLiteStore(path: foreign, durability: .process) } throws: { e in
        (e as? KlasterError)?.code == .dataError && (e as? KlasterError)?.message.contains("not a Klaster database") == true
    }
    let garbage = try dir.write("garbage.db", String(repeating: "this is not sqlite at all ", count: 200))
    #expect { _ = try SQLiteStore(path: garbage, durability: .process) } throws: { e in
        (e as? KlasterError)?.code == .dataError && (e as? KlasterError)?.message.contains("not a Klaster database") == true
    }
    let missing = dir.file("missing.db")
    #expect { _ = try SQLiteStore(path: missing, durability: .process, create: false) } throws: { e in
        (e as? KlasterError)?.code == .noInput
    }
    #expect(!FileManager.default.fileExists(atPath: missing))
}

@Test func corruptDatabaseIsReportedAsCorrupt() throws {
    let dir = try TemporaryDirectory(prefix: "corrupt")
    let path = dir.file("c.db")
    do {
        let (store, _) = (try SQLiteStore(path: path, durability: .process), 0)
        var b = Batch(lastMessageSeq: 1)
        b.newSeries = [power]
        b.readings = (0..<5000).map { Reading(series: 2, ts: t0 + Int64($0), value: Double($0)) }
        try store.apply(b)
        try store.vacuum()
    }
    // Overwrite pages in the middle of the file (past the header and schema page).
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seek(toOffset: 4096 * 3)
    handle.write(Data(repeating: 0xA5, count: 4096 * 4))
    try handle.close()
    #expect {
        let store = try SQLiteStore(path: path, durability: .process, create: false)
        _ = try allReadings(store)
    } throws: { e in
        guard let e = e as? KlasterError else { return false }
        return e.code == .dataError && (e.message.contains("corrupt") || e.message.contains("not a Klaster"))
    }
}

/// schemas/klaster.sql documents exactly what the migrations create.
@Test func schemaFileMatchesMigrations() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let ddl = try String(contentsOf: root.appendingPathComponent("schemas/klaster.sql"), encoding: .utf8)
    let dir = try TemporaryDirectory(prefix: "schema")
    let fromFile = try Database(path: dir.file("file.db"), create: true)
    try fromFile.execute(ddl)
    let fromMigrations = try Database(path: dir.file("mig.db"), create: true)
    try Migrations.migrate(fromMigrations)
    func shape(_ db: Database) throws -> [String] {
        var out: [String] = []
        let objects = try db.prepare("SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        while try objects.step() {
            let (type, name) = (objects.string(0), objects.string(1))
            out.append("\(type) \(name)")
            if type == "table" {
                let cols = try db.prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)")
                cols.bind(1, name)
                while try cols.step() { out.append("  \(cols.string(0)) \(cols.string(1)) nn=\(cols.int64(2)) pk=\(cols.int64(3))") }
                let strict = try db.prepare("SELECT strict, wr FROM pragma_table_list WHERE name = ?1")
                strict.bind(1, name)
                if try strict.step() { out.append("  strict=\(strict.int64(0)) without_rowid=\(strict.int64(1))") }
            } else {
                let cols = try db.prepare("SELECT name FROM pragma_index_info(?1)")
                cols.bind(1, name)
                while try cols.step() { out.append("  on \(cols.string(0))") }
            }
        }
        return out
    }
    #expect(try shape(fromFile) == shape(fromMigrations))
    #expect(try shape(fromMigrations).contains("table readings"))
}
