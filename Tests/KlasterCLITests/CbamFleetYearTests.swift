import Foundation
import KlasterTestSupport
import Testing

/// A year of the simulated SOCAR Karbamid fleet (`klaster simulate --dry-run
/// --backfill 366d --backfill-interval 1h` up to 2026-01-01, imported: a past
/// year, so no reading is refused as lying in the future), reported for 2025 with the
/// example config's `[[cbam.goods]]` and the built-in factors. Sanity ranges
/// from the plant's annual figures (660 kt urea, 0.57 t ammonia per t urea,
/// 435 M Nm³ gas) and the literature (conventional ammonia ≈ 1.6–2.4 t CO2/t).
@Suite struct CbamFleetYearTests {
    @Test func simulatedYearFallsInTheSanityRanges() throws {
        let dir = try TemporaryDirectory(prefix: "cbam-year")
        let sim = try KlasterBinary.run(["simulate", "--dry-run", "--now", "2026-01-01T00:00:00Z", "--backfill", "366d",
                                         "--backfill-interval", "1h", "--seed", "3"], timeout: .seconds(300))
        #expect(sim.status == 0, "\(sim.stderr)")
        // `nextgen/<plant>/<meter>/<quantity> {"ts":…,"v":…}` → CSV of the Karbamid series.
        var csv = "series,ts,value\n"
        for line in sim.stdout.split(separator: "\n") where line.hasPrefix("nextgen/socar-karbamid/") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let series = line[line.index(line.startIndex, offsetBy: 8)..<space]  // after "nextgen/"
            guard let obj = try JSONSerialization.jsonObject(with: Data(line[line.index(after: space)...].utf8)) as? [String: Any],
                  let v = obj["v"] as? NSNumber else { continue }
            let ts = (obj["ts"] as? NSNumber).map { "\($0.int64Value)" } ?? (obj["ts"] as? String ?? "")
            csv += "\(series),\(ts),\(v.doubleValue)\n"
        }
        let example = try String(contentsOfFile: ObligationsConfigTests.example, encoding: .utf8)
        // The example's goods and quantities, without its [[factors]] (the built-in defaults apply) or broker settings.
        let goods = example[example.range(of: "\n[[cbam.goods]]")!.lowerBound...]
        let config = try dir.write("k.toml", """
            [quantities.ammonia_t]
            kind = "counter"
            unit = "t"

            \(goods)
            """)
        let data = try dir.write("year.csv", csv)
        let db = dir.file("k.db")
        let imported = try KlasterBinary.run(["import", "--config", config, "--db", db, data], timeout: .seconds(300))
        #expect(imported.status == 0, "\(imported.stderr)")

        let r = try KlasterBinary.run(["cbam", "--year", "2025", "--format", "json", "--now", "2026-01-02T00:00:00Z",
                                       "--config", config, "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try emissionRows(r.stdout)
        #expect(rows.map { $0["good"] as? String } == ["ammonia", "urea"])
        func n(_ row: [String: Any], _ key: String) -> Double { jsonNumber(row[key]) ?? .nan }
        let ammonia = rows[0], urea = rows[1]
        // Activity: 660 kt urea and 0.57 × 660 = 376.2 kt ammonia a year, within ±10 %.
        #expect((594_000...726_000).contains(n(urea, "activity_t")))
        #expect((338_580...413_820).contains(n(ammonia, "activity_t")))
        // Ammonia from natural gas: all 435 M Nm³ × 1.885 kg/Nm³ attributed ≈ 2.2 t CO2/t, inside 1.6–2.4.
        #expect((1.6...2.4).contains(n(ammonia, "see_direct")), "\(ammonia)")
        // Indirect: ≈ 43.6 GWh × 0.384 over ≈ 376 kt ≈ 0.045 t/t.
        #expect((0.03...0.06).contains(n(ammonia, "see_indirect")), "\(ammonia)")
        // Urea carries 0.567 t ammonia per t: precursor direct ≈ 0.567 × ammonia's SEE × activity.
        let expectedPrecursor = 0.567 * n(ammonia, "see_direct") * n(urea, "activity_t")
        #expect(abs(n(urea, "precursor_direct_t") - expectedPrecursor) <= expectedPrecursor * 1e-3)
        // Urea in total: well below the 2.75 t/t default, above the precursor's share alone.
        #expect((1.0...2.0).contains(n(urea, "see_total")), "\(urea)")
        #expect(n(urea, "see_total") < n(urea, "default_see"))
        // Every stream reported for (almost) the whole Baku year: the UTC backfill misses its first 4 hours at most.
        for row in rows {
            for c in (row["coverage"] as? [[String: Any]]) ?? [] {
                #expect((jsonNumber(c["share"]) ?? 0) > 0.99, "\(c)")
            }
        }
    }
}
