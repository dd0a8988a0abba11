import Foundation
import KlasterTestSupport
import Testing

/// Read commands open a read-only connection: they never write to the file.
@Suite struct ReadOnlyCommandsTests {
    @Test func statsOnAnEmptyFileWritesNothing() throws {
        let dir = try TemporaryDirectory(prefix: "readonly")
        let db = try dir.write("empty.db", "")
        let r = try KlasterBinary.run(["stats", "--db", db])
        #expect(r.status == 66)
        #expect(r.stderr == "klaster: database \(db) is empty (run `klaster ingest` or `klaster import` first, or pass --db)\n")
        #expect(try FileManager.default.attributesOfItem(atPath: db)[.size] as? Int == 0)
    }

    /// Whether the tests run as root and can run the binary as `nobody` (a
    /// user who cannot write the database's directory).
    static let canRunAsNobody: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/su") else { return false }
        let r = try? runCommand("/bin/su", ["nobody", "-s", "/bin/sh", "-c", "test -x \"$0\"", KlasterBinary.path])
        return r?.status == 0
    }()

    /// Reading where one cannot write: "attempt to write a readonly database" before.
    @Test(.enabled(if: canRunAsNobody)) func readCommandsWorkInADirectoryTheUserCannotWrite() throws {
        let dir = try TemporaryDirectory(prefix: "readonly")
        let csv = try dir.write("r.csv", "series,ts,value\nz/m/temperature_c,1764547200000,1\n")
        let db = dir.file("k.db")
        #expect(try KlasterBinary.run(["import", "--db", db, csv]).status == 0)
        #expect(chmod(dir.path, 0o755) == 0 && chmod(db, 0o644) == 0)
        let r = try runCommand("/bin/su", ["nobody", "-s", "/bin/sh", "-c", "exec '\(KlasterBinary.path)' stats --db '\(db)' --format json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == #"{"messages":1,"readings":1,"duplicates":0,"late":0,"deadletter":0,"deadletter_by_reason":{},"series":1,"buckets":4}"# + "\n")
    }

    @Test func readCommandsLeaveTheDatabaseBytesAlone() throws {
        let dir = try TemporaryDirectory(prefix: "readonly")
        let csv = try dir.write("r.csv", "series,ts,value\nz/m/temperature_c,1764547200000,1\n")
        let db = dir.file("k.db")
        #expect(try KlasterBinary.run(["import", "--db", db, csv]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for args in [["stats"], ["series"], ["deadletter"], ["query", "**", "--from", "2025-12-01T00:00:00Z"],
                     ["emissions", "--from", "2025-12-01T00:00:00Z", "--to", "2025-12-02T00:00:00Z"], ["targets"]] {
            let r = try KlasterBinary.run(args + ["--db", db, "--format", "json"])
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }
}
