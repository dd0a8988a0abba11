import Foundation
import KlasterTestSupport
import Testing

/// `report --out` replaces only regular files; a failed write of stdout or of
/// the output file is exit 74 with one line.
@Suite struct OutputFileTests {
    private let noSpace = "No space left on device (free some space and run it again)"

    /// Runs `klaster args…` with stdout on /dev/full.
    private func intoFullDevice(_ args: [String]) throws -> CommandResult {
        try runCommand("/bin/sh", ["-c", "exec \"$0\" \"$@\" > /dev/full", KlasterBinary.path] + args)
    }

    /// A small database in `dir` (which the caller keeps alive).
    private func database(in dir: TemporaryDirectory) throws -> String {
        let csv = try dir.write("r.csv", "series,ts,value\nz/m/temperature_c,1764547200000,1\n")
        let db = dir.file("k.db")
        let r = try KlasterBinary.run(["import", "--db", db, csv])
        #expect(r.status == 0, "\(r.stderr)")
        return db
    }

    @Test(arguments: [
        ["query", "**", "--from", "2025-12-01T00:00:00Z", "--to", "2025-12-02T00:00:00Z", "--format", "csv"],
        ["series", "--format", "json"],
        ["stats", "--format", "table"],
        ["targets", "--format", "csv"],
        ["deadletter", "--format", "csv"],
    ])
    func stdoutOnAFullDiskIsExit74(_ args: [String]) throws {
        let dir = try TemporaryDirectory(prefix: "outfile")
        let db = try database(in: dir)
        let r = try intoFullDevice(args + ["--db", db])
        #expect(r.status == 74)
        #expect(r.stderr == "klaster: cannot write to standard output: \(noSpace)\n")
        withExtendedLifetime(dir) {}
    }

    @Test func reportRefusesADeviceNode() throws {
        let dir = try TemporaryDirectory(prefix: "outfile")
        let db = try database(in: dir)
        let r = try KlasterBinary.run(["report", "--db", db, "--out", "/dev/full"])
        #expect(r.status == 74)
        #expect(r.stderr == "klaster: refusing to replace /dev/full: it is a character device, not a regular file (give the path of a regular file or of a new one)\n")
        var st = stat()
        #expect(lstat("/dev/full", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
        withExtendedLifetime(dir) {}
    }

    @Test func reportRefusesASymlinkAndAFIFOAndLeavesThem() throws {
        let dir = try TemporaryDirectory(prefix: "outfile")
        let db = try database(in: dir)
        let target = try dir.write("precious.txt", "keep me\n")
        let link = dir.file("index.html")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let r = try KlasterBinary.run(["report", "--db", db, "--out", link])
        #expect(r.status == 74)
        #expect(r.stderr == "klaster: refusing to replace \(link): it is a symbolic link, not a regular file (give the path of a regular file or of a new one)\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")

        let fifo = dir.file("pipe.html")
        #expect(mkfifo(fifo, 0o600) == 0)
        let f = try KlasterBinary.run(["report", "--db", db, "--out", fifo])
        #expect(f.status == 74)
        #expect(f.stderr == "klaster: refusing to replace \(fifo): it is a FIFO, not a regular file (give the path of a regular file or of a new one)\n")
        // Nothing left behind: only the files the test made.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix("k.db") }.sorted() == ["index.html", "pipe.html", "precious.txt", "r.csv"])
    }

    @Test func reportReplacesARegularFileKeepingItsMode() throws {
        let dir = try TemporaryDirectory(prefix: "outfile")
        let db = try database(in: dir)
        let out = try dir.write("report.html", "old")
        #expect(chmod(out, 0o640) == 0)
        let r = try KlasterBinary.run(["report", "--db", db, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        var st = stat()
        #expect(stat(out, &st) == 0 && st.st_mode & 0o7777 == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix("k.db") }.sorted() == ["r.csv", "report.html"])
    }

    @Test func reportIntoAMissingDirectoryIsExit74() throws {
        let dir = try TemporaryDirectory(prefix: "outfile")
        let db = try database(in: dir)
        let out = dir.file("no/such/dir/r.html")
        let r = try KlasterBinary.run(["report", "--db", db, "--out", out])
        #expect(r.status == 74)
        #expect(r.stderr == "klaster: cannot write \(out): No such file or directory (check that the directory exists)\n")
    }
}
