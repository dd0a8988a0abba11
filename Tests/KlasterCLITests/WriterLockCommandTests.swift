import Foundation
import KlasterStore
import KlasterTestSupport
import Testing

/// A second writer on one database file is refused at start with one line
/// and exit 69, before it reads a file or connects to a broker.
@Suite struct WriterLockCommandTests {
    @Test func importBesideAnotherWriterIsExit69() throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        let db = dir.file("k.db")
        let csv = try dir.write("r.csv", "series,ts,value\nz/m/temperature_c,1764547200000,1\n")
        let held = try WriterLock(database: db)
        let r = try KlasterBinary.run(["import", "--db", db, csv])
        #expect(r.status == 69)
        #expect(r.stderr == "klaster: database \(db) is in use by another writer (pid \(getpid())) (run one ingest or import per database file; stop the other one first)\n")
        #expect(!FileManager.default.fileExists(atPath: db))
        withExtendedLifetime(held) {}
    }

    /// Before: the second ingest started, subscribed, answered /healthz and
    /// double-counted. Now it stops before connecting (nothing listens on the port).
    @Test func ingestBesideAnotherWriterStopsBeforeConnecting() throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        let db = dir.file("k.db")
        let port = freeLoopbackPort()
        let config = try dir.write("k.toml", "[mqtt]\nurl = \"mqtt://127.0.0.1:\(port)\"\n[http]\nlisten = \"\"\n")
        let held = try WriterLock(database: db)
        let r = try KlasterBinary.run(["ingest", "--config", config, "--db", db], timeout: .seconds(30))
        #expect(r.status == 69)
        #expect(r.stderr.hasSuffix("klaster: database \(db) is in use by another writer (pid \(getpid())) (run one ingest or import per database file; stop the other one first)\n"))
        withExtendedLifetime(held) {}
    }
}
