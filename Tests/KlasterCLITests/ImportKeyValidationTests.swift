import Foundation
import KlasterTestSupport
import Testing

/// `klaster import` applies the live path's checks: series key rules, UTF-8,
/// the payload cap; and reads files with a BOM or CR-only line endings.
@Suite struct ImportKeyValidationTests {
    private static func lines(_ s: String) throws -> [[String: Any]] {
        try s.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    private static func importFile(_ name: String, _ bytes: [UInt8], config: String = "")
        throws -> (dir: TemporaryDirectory, db: String, config: String, result: CommandResult) {
        let dir = try TemporaryDirectory(prefix: "import-keys")
        let file = dir.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let cfg = try dir.write("k.toml", config)
        let db = dir.file("k.db")
        let r = try KlasterBinary.run(["import", "--config", cfg, "--db", db, file])
        return (dir, db, cfg, r)
    }

    private static func deadLetters(_ db: String, _ config: String) throws -> [[String: Any]] {
        let r = try KlasterBinary.run(["deadletter", "--config", config, "--db", db, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try lines(r.stdout)
    }

    private static func series(_ db: String, _ config: String) throws -> [String] {
        let r = try KlasterBinary.run(["series", "--config", config, "--db", db, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try lines(r.stdout).compactMap { $0["series"] as? String }
    }

    /// The reproduction: NUL cut both keys to `z/m` and merged two series.
    @Test func hostileKeysAreDeadLetteredNotMerged() throws {
        var csv: [UInt8] = Array("series,ts,value\n".utf8)
        csv += Array("z/m\u{0}x/temperature_c,1764547200000,21.5\n".utf8)
        csv += Array("z/m\u{0}y/active_energy_kwh,1764547200000,100\n".utf8)
        csv += Array("z/m\u{1B}]0;pwn\u{7}/temperature_c,1764547200000,1\n".utf8)
        csv += Array("z/a+b/temperature_c,1764547200000,1\n".utf8)
        csv += Array("z/a#b/temperature_c,1764547200000,1\n".utf8)
        csv += Array("z/".utf8) + [0xFF, 0xFE] + Array("/temperature_c,1764547200000,1\n".utf8)
        csv += Array("z/ok/temperature_c,1764547200000,1\n".utf8)
        let f = try Self.importFile("keys.csv", csv)
        #expect(f.result.status == 0, "\(f.result.stderr)")
        #expect(try Self.series(f.db, f.config) == ["z/ok/temperature_c"])
        let dl = try Self.deadLetters(f.db, f.config)
        #expect(dl.map { $0["reason"] as? String } == ["bad_topic", "bad_topic", "bad_topic", "bad_topic", "bad_topic", "invalid_utf8"])
        let details = dl.compactMap { ($0["detail"] as? String)?.split(separator: ": ", maxSplits: 1).last.map(String.init) }
        #expect(details == [
            "series key level 2 holds control or format character U+0000",
            "series key level 2 holds control or format character U+0000",
            "series key level 2 holds control or format character U+001B",
            "series key level 2 holds '+'",
            "series key level 2 holds '#'",
            "invalid UTF-8 at byte 2",
        ])
    }

    /// A huge key is refused, and its dead letter keeps no more than the MQTT path would.
    @Test func hugeRecordIsTooLargeAndItsDeadLetterIsCapped() throws {
        let huge = "z/" + String(repeating: "k", count: 5000) + "/temperature_c,1764547200000,1"
        let long = "z/" + String(repeating: "k", count: 3000) + "/q,1764547200000,1"
        let f = try Self.importFile("big.csv", Array(("series,ts,value\n" + huge + "\n" + long + "\n").utf8),
                                    config: "[ingest]\nmax_payload_bytes = 4096\n")
        #expect(f.result.status == 0, "\(f.result.stderr)")
        let dl = try Self.deadLetters(f.db, f.config)
        #expect(dl.map { $0["reason"] as? String } == ["too_large", "bad_topic"])
        #expect((dl[0]["payload"] as? String)?.utf8.count == 4096)
        #expect((dl[0]["detail"] as? String)?.hasSuffix("record is \(huge.utf8.count) bytes, limit 4096") == true)
        #expect((dl[1]["detail"] as? String)?.hasSuffix("series key level 2 is 3000 bytes, limit 128") == true)
        #expect((dl[1]["topic"] as? String) == String(("z/" + String(repeating: "k", count: 3000)).prefix(1024)) + "…")
        #expect(try Self.series(f.db, f.config) == [])
    }

    /// A BOM made the file look like line protocol; CR-only endings made it one record.
    @Test(arguments: ["\n", "\r\n", "\r"])
    func bomAndLineEndings(_ eol: String) throws {
        let body = ["series,ts,value", "z/m/temperature_c,1764547200000,1", "z/m/temperature_c,1764547260000,2", "z/m/temperature_c,1764547320000,3"]
            .joined(separator: eol) + eol
        let f = try Self.importFile("export.txt", [0xEF, 0xBB, 0xBF] + Array(body.utf8))
        #expect(f.result.status == 0, "\(f.result.stderr)")
        #expect(f.result.stderr.hasPrefix("imported 3 records (0 dead-lettered)"), "\(f.result.stderr)")
        #expect(try Self.series(f.db, f.config) == ["z/m/temperature_c"])
        #expect(try Self.deadLetters(f.db, f.config).isEmpty)
    }
}
