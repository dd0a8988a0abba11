import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

/// What only the PostgreSQL store has: connection errors and their exit
/// codes, the password sources, migrations, partitions. (Everything both
/// stores do is in the parameterised suites.)
@Suite struct PostgresStoreTests {
    let server: PostgresServer

    init() throws {
        server = try PostgresServer.shared()
        setenv("KLASTER_PG_PASSWORD", PostgresServer.password, 1)
    }

    private func openError(_ url: String, passwordFile: String? = nil, create: Bool = true) -> KlasterError? {
        do {
            _ = try PostgresStore(url: url, passwordFile: passwordFile, create: create)
            return nil
        } catch {
            return error
        }
    }

    @Test func wrongPasswordIsExit77() throws {
        let url = try server.createDatabase()
        let dir = try TemporaryDirectory(prefix: "pgpw")
        let file = try dir.write("pw", "not-the-password\n")
        let e = try #require(openError(url, passwordFile: file))
        #expect(e.code == .noPermission)
        #expect(e.message.contains("refused the credentials"))
        #expect(!e.description.contains("not-the-password"))
    }

    @Test func unknownRoleIsExit77() throws {
        let e = try #require(openError("postgresql://nobody@127.0.0.1:\(server.port)/postgres"))
        #expect(e.code == .noPermission)
    }

    @Test func refusedConnectionIsExit69() throws {
        let port = freeLoopbackPort()
        let e = try #require(openError("postgresql://klaster@127.0.0.1:\(port)/klaster"))
        #expect(e.code == .unavailable)
        #expect(e.message.contains("cannot connect to PostgreSQL at 127.0.0.1:\(port)"))
        #expect(!e.description.contains("\n"))
    }

    @Test func missingDatabaseIsExit66() throws {
        let e = try #require(openError(server.url(database: "no_such_db")))
        #expect(e.code == .noInput)
        #expect(e.message.contains("\"no_such_db\" does not exist"))
    }

    @Test func emptyOrUnreadablePasswordFileIsAConfigError() throws {
        let url = try server.createDatabase()
        let dir = try TemporaryDirectory(prefix: "pgpw")
        let empty = try dir.write("empty", "\n")
        let e1 = try #require(openError(url, passwordFile: empty))
        #expect(e1.code == .config && e1.message.contains("is empty"))
        let e2 = try #require(openError(url, passwordFile: dir.file("missing")))
        #expect(e2.code == .config && e2.message.contains("cannot read storage.password_file"))
    }

    @Test func passwordFileWinsOverTheEnvironment() throws {
        let url = try server.createDatabase()
        let dir = try TemporaryDirectory(prefix: "pgpw")
        let file = try dir.write("pw", PostgresServer.password + "\n")
        #expect(try PostgresPassword.resolve(file: file, environment: { _ in "other" }) == PostgresServer.password)
        #expect(try PostgresPassword.resolve(file: nil, environment: { $0 == "KLASTER_PG_PASSWORD" ? "env" : nil }) == "env")
        #expect(try PostgresPassword.resolve(file: nil, environment: { _ in nil }) == nil)
        _ = try PostgresStore(url: url, passwordFile: file)
    }

    @Test func readCommandsOnAnEmptyDatabaseAreExit66AndMigrateCreatesTheSchema() throws {
        let url = try server.createDatabase()
        let e = try #require(openError(url, create: false))
        #expect(e.code == .noInput && e.message.contains("has no Klaster schema"))
        let store = try PostgresStore(url: url, passwordFile: nil, create: true)
        #expect(try store.fileSchemaVersion() == PostgresStore.schemaVersion)
        #expect(try store.storedWidths() == BucketWidth.defaults)
        _ = try PostgresStore(url: url, passwordFile: nil, create: false)
    }

    @Test func aForeignDatabaseIsRefusedAsNotKlaster() throws {
        let url = try server.createDatabase()
        let name = String(url.split(separator: "/").last!)
        try server.admin("CREATE TABLE invoices (id int)", database: name)
        let e = try #require(openError(url))
        #expect(e.code == .dataError && e.message.contains("not a Klaster database"))
    }

    @Test func newerSchemaIsRefused() throws {
        let url = try server.createDatabase()
        _ = try PostgresStore(url: url, passwordFile: nil)
        try server.admin("UPDATE meta SET value = '99' WHERE key = 'schema_version'", database: String(url.split(separator: "/").last!))
        let e = try #require(openError(url))
        #expect(e.code == .dataError && e.message.contains("99") && e.message.contains("newer"))
    }

    @Test func readingsArePartitionedByWeekAndRetentionDropsWholePartitions() throws {
        let url = try server.createDatabase()
        let db = String(url.split(separator: "/").last!)
        let store = try PostgresStore(url: url, passwordFile: nil)
        let day: Int64 = 86_400_000
        // t0 = Thursday 2026-01-01: its week starts Monday 2025-12-29.
        let rs = (0..<21).map { Reading(series: power.id, ts: t0 + Int64($0) * day, value: Double($0)) }
        try ingest(store, series: [power], readings: rs)
        let parts = try server.admin("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'readings'::regclass ORDER BY 1
            """, database: db).split(separator: "\n")
        #expect(parts == ["readings_20251229", "readings_20260105", "readings_20260112", "readings_20260119"])
        // Keep 10 days back from t0+20d: the cutoff t0+10d (Sunday 11 January) drops the
        // first week whole (4 readings) and deletes 6 rows (5…10 January) of the week it cuts.
        let deleted = try store.deleteExpired(now: t0 + 20 * day, rawRetention: 10 * day, bucketRetention: [:], batchSize: 100)
        #expect(deleted == 10)
        let left = try server.admin("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'readings'::regclass ORDER BY 1
            """, database: db).split(separator: "\n")
        #expect(left == ["readings_20260105", "readings_20260112", "readings_20260119"])
        #expect(try allReadings(store).first?.ts == t0 + 10 * day)
        // A reading for a dropped week brings its partition back.
        var b = Batch(lastMessageSeq: 100)
        b.readings = [Reading(series: power.id, ts: t0, value: 1)]
        try store.apply(b)
        #expect(try server.admin("SELECT count(*) FROM readings_20251229", database: db) == "1\n")
    }

    @Test func theGrafanaViewHasTimeSeriesPlantQuantityUnit() throws {
        let url = try server.createDatabase()
        let db = String(url.split(separator: "/").last!)
        let store = try PostgresStore(url: url, passwordFile: nil)
        // The hour-later reading makes minute 00:01 final (the views show final buckets).
        try ingest(store, series: [power], readings: [Reading(series: power.id, ts: t0 + 90_000, value: 4), Reading(series: power.id, ts: t0 + 91_000, value: 6),
                                                      Reading(series: power.id, ts: t0 + 3_600_000, value: 1)])
        let row = try server.admin("""
            SET TIME ZONE 'UTC'; SELECT time, series, plant, quantity, unit, count, mean FROM buckets_1m_view
            """, database: db)
        #expect(row == "2026-01-01 00:01:00+00|socar-polymer/m1/active_power_kw|socar-polymer|active_power_kw|kW|2|5\n")
    }

    @Test func textWithNULAndQuotesIsStored() throws {
        let url = try server.createDatabase()
        let store = try PostgresStore(url: url, passwordFile: nil)
        var b = Batch(lastMessageSeq: 1)
        b.deadLetters = [DeadLetter(topic: "a\"b\\c\u{0}d,{e}", payload: [0, 1, 0xFF], receivedAt: t0, reason: .badTopic, detail: "NULL")]
        try store.apply(b)
        let dl = try store.deadLetters(since: nil)
        #expect(dl.map(\.topic) == ["a\"b\\c\u{FFFD}d,{e}"])
        #expect(dl.map(\.payload) == [[0, 1, 0xFF]])
        #expect(dl.map(\.detail) == ["NULL"])
    }

    /// schemas/klaster.postgres.sql documents exactly what the migrations create.
    @Test func schemaFileMatchesTheMigrations() throws {
        let migrated = try server.createDatabase()
        _ = try PostgresStore(url: migrated, passwordFile: nil)
        let fromFile = try server.createDatabase()
        let sql = try String(contentsOfFile: KlasterBinary.packageRoot + "/schemas/klaster.postgres.sql", encoding: .utf8)
        try server.admin(sql, database: String(fromFile.split(separator: "/").last!))
        let describe = """
            SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1;
            SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1;
            SELECT viewname || ' ' || definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1;
            SELECT key || '=' || value FROM meta ORDER BY 1;
            SELECT width_ms || ' ' || name FROM bucket_widths ORDER BY 1;
            """
        let a = try server.admin(describe, database: String(migrated.split(separator: "/").last!))
        let b = try server.admin(describe, database: String(fromFile.split(separator: "/").last!))
        #expect(a == b)
        #expect(a.contains("readings.ts bigint NO"))
    }
}
