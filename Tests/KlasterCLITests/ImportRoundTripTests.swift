import Foundation
import KlasterTestSupport
import Testing

private func jsonLines(_ s: String) throws -> [[String: Any]] {
    try s.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
}

/// Import → query against buckets computed by hand, including a counter
/// wrapping at its configured rollover (1000) between minute 0 and 1.
@Test func importQueryRoundTripHandComputed() throws {
    let f = try ImportedFixture()
    let r = try f.run(["query"], ["socar-polymer/m1/active_energy_kwh", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T00:03:00Z",
                                  "--every", "1m", "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = try jsonLines(r.stdout)
    #expect(rows.map { $0["start"] as? String } == ["2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"])
    #expect(rows.map { $0["count"] as? Int } == [2, 2, 1])              // the second 00:02:00 reading is a duplicate
    #expect(rows.map { $0["delta"] as? Double } == [5, 13, 12])         // 995-990; (5+1000-995)+(8-5); 20-8
    #expect(rows.map { $0["min"] as? Double } == [990, 5, 20])
    #expect(rows.map { $0["max"] as? Double } == [995, 8, 20])
    #expect(rows.map { $0["sum"] as? Double } == [1985, 13, 20])
    #expect(rows.map { $0["mean"] as? Double } == [992.5, 6.5, 20])
    #expect(rows.map { $0["first"] as? Double } == [990, 5, 20])
    #expect(rows.map { $0["last"] as? Double } == [995, 8, 20])
    #expect(rows.allSatisfy { $0["width"] as? String == "1m" && $0["series"] as? String == "socar-polymer/m1/active_energy_kwh" })
    #expect(rows.allSatisfy { Set($0.keys) == ["series", "start", "width", "count", "min", "max", "sum", "mean", "first", "last", "delta"] })

    // --every 15m reads the 15m table; 2m is merged from 1m rows.
    let q15 = try jsonLines(f.run(["query"], ["socar-polymer/m1/*", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z",
                                             "--every", "15m", "--format", "json"]).stdout)
    #expect(q15.count == 2)
    #expect(q15[0]["delta"] as? Double == 30 && q15[0]["count"] as? Int == 5)
    #expect(q15[1]["delta"] is NSNull && q15[1]["mean"] as? Double == 10)   // gauge: (12.5 + 7.5) / 2
    let q2 = try jsonLines(f.run(["query"], ["socar-polymer/m1/active_energy_kwh", "--from", "2026-01-01T00:00:00Z",
                                            "--to", "2026-01-01T00:04:00Z", "--every", "2m", "--format", "json"]).stdout)
    #expect(q2.map { $0["delta"] as? Double } == [18, 12])

    // JSON lines: the bad-quality reading is stored raw, never aggregated; the one without ts is dead-lettered.
    let co2 = try jsonLines(f.run(["query"], ["socar-karbamid/cems1/co2_rate_kgh", "--from", "2026-01-01T00:00:00Z",
                                             "--to", "2026-01-01T01:00:00Z", "--every", "1h", "--format", "json"]).stdout)
    #expect(co2.count == 1 && co2[0]["count"] as? Int == 2 && co2[0]["max"] as? Double == 2300)
    // Line protocol: tags give the series.
    let lp = try jsonLines(f.run(["query"], ["socar-karbamid/e1/active_energy_kwh", "--from", "2026-01-01T00:00:00Z",
                                            "--to", "2026-01-01T01:00:00Z", "--every", "1h", "--format", "json"]).stdout)
    #expect(lp.count == 1 && lp[0]["delta"] as? Double == 60)
}

/// Importing the same file twice stores nothing new: every reading is a duplicate.
@Test func importTwiceIsIdempotentForBuckets() throws {
    let f = try ImportedFixture(files: ["fixture.csv"])
    let args = ["**", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-02T00:00:00Z", "--every", "1m", "--format", "json"]
    let before = try f.run(["query"], args).stdout
    let again = try f.klaster(["import", "--config", f.config, "--db", f.db, Golden.path("fixture.csv")])
    #expect(again.status == 0)
    #expect(try f.run(["query"], args).stdout == before)
    let stats = try jsonLines(f.run(["stats"], ["--format", "json"]).stdout)[0]
    #expect(stats["readings"] as? Int == 8)
    #expect(stats["duplicates"] as? Int == 1 + 9)
}

@Test func importMissingFileIs66AndWritesNoDatabase() throws {
    let dir = try TemporaryDirectory(prefix: "cli")
    let r = try KlasterBinary.run(["import", "--db", dir.file("k.db"), dir.file("nope.csv")])
    #expect(r.status == 66)
    #expect(r.stderr.hasPrefix("klaster: ") && r.stderr.contains("nope.csv"))
    #expect(!FileManager.default.fileExists(atPath: dir.file("k.db")))
}
