import Foundation
import KlasterTestSupport
import Testing

/// A writer that cannot write finds out at start: before, ingest connected,
/// subscribed, answered /healthz 200 and exited 74 at its first message.
@Test(.enabled(if: ReadOnlyCommandsTests.canRunAsNobody))
func ingestOnAFileItCannotWriteStopsBeforeConnecting() throws {
    let dir = try TemporaryDirectory(prefix: "writer-start")
    let csv = try dir.write("r.csv", "series,ts,value\nz/m/temperature_c,1764547200000,1\n")
    let db = dir.file("k.db")
    #expect(try KlasterBinary.run(["import", "--db", db, csv]).status == 0)
    // The directory is writable (the lock file can be made), the database is not.
    try FileManager.default.removeItem(atPath: db + ".lock")
    #expect(chmod(dir.path, 0o777) == 0 && chmod(db, 0o644) == 0)
    let port = freeLoopbackPort()
    let config = try dir.write("k.toml", "[mqtt]\nurl = \"mqtt://127.0.0.1:\(port)\"\n[http]\nlisten = \"\"\n")
    #expect(chmod(config, 0o644) == 0)
    let r = try runCommand("/bin/su", ["nobody", "-s", "/bin/sh", "-c", "exec '\(KlasterBinary.path)' ingest --config '\(config)' --db '\(db)'"],
                           timeout: .seconds(30))
    #expect(r.status == 77)
    #expect(r.stderr.hasSuffix("klaster: database \(db) is read-only (the writer needs write access to the file and its directory)\n"), "\(r.stderr)")
    #expect(!r.stderr.contains("connected to broker"))
}
