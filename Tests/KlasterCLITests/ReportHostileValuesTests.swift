import Foundation
@testable import KlasterCLI
import KlasterTestSupport
import Testing

/// Numbers that reach a chart or an output are finite: huge or overflowed
/// values never trap (`SVGText.coord`) and never print `inf` in JSON.
@Suite struct ReportHostileValuesTests {
    @Test func svgNumbersNeverTrap() {
        #expect(SVGText.coord(.infinity) == "1000000000")
        #expect(SVGText.coord(-.infinity) == "-1000000000")
        #expect(SVGText.coord(.nan) == "0")
        #expect(SVGText.coord(1.8446744073709552e19) == "1000000000")
        #expect(SVGText.coord(12.345) == "12.35")
        #expect(SVGText.number(1.8446744073709552e19) == "1.8446744073709552e+19")
        #expect(SVGText.number(1.7e308, digits: 1) == "1.7e+308")
        #expect(SVGText.number(1_234_567.8, digits: 1) == "1,234,567.8")
        #expect(SVGText.short(2e22) == "2e+16M")
        #expect(SVGText.short(.infinity) == "–")
        #expect(SVGText.raw(.infinity) == "")
        #expect(SVGText.raw(.nan) == "")
    }

    private func database(_ csv: String, config: String) throws -> (TemporaryDirectory, String, String) {
        let dir = try TemporaryDirectory(prefix: "hostile-report")
        let file = try dir.write("r.csv", "series,ts,value\n" + csv)
        let cfg = try dir.write("k.toml", config)
        let db = dir.file("k.db")
        let r = try KlasterBinary.run(["import", "--config", cfg, "--db", db, file])
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, db, cfg)
    }

    /// The reproduction: the all-ones register crashed `report` with SIGILL.
    @Test func allOnesRegisterIsFlaggedAndTheReportIsWritten() throws {
        let (dir, db, cfg) = try database("""
            socar-karbamid/gas-inlet/gas_volume_nm3,2026-03-01T11:59:00Z,49657.5
            socar-karbamid/gas-inlet/gas_volume_nm3,2026-03-01T12:00:00Z,18446744073709551615
            """, config: "")
        let q = try KlasterBinary.run(["query", "**", "--db", db, "--config", cfg, "--from", "2026-03-01T00:00:00Z",
                                       "--to", "2026-03-02T00:00:00Z", "--every", "1d", "--format", "json"])
        #expect(q.status == 0)
        let row = try #require(JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as? [String: Any])
        #expect(row["delta"] as? Double == 0)
        let out = dir.file("report.html")
        let r = try KlasterBinary.run(["report", "--db", db, "--config", cfg, "--out", out, "--now", "2026-03-01T13:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
    }

    /// With the bound raised out of the way, the chart still gets finite numbers.
    @Test func hugeDeltaStillDrawsAndOverflowedSumsAreNull() throws {
        let (dir, db, cfg) = try database("""
            socar-karbamid/gas-inlet/gas_volume_nm3,2026-03-01T11:59:00Z,49657.5
            socar-karbamid/gas-inlet/gas_volume_nm3,2026-03-01T12:00:00Z,18446744073709551615
            socar-karbamid/stack/co2_rate_kgh,2026-03-01T10:00:00Z,1.7e308
            socar-karbamid/stack/co2_rate_kgh,2026-03-01T10:30:00Z,1.7e308
            """, config: "[quantities.gas_volume_nm3]\nmax_rate = 1e300\n")
        let out = dir.file("report.html")
        let r = try KlasterBinary.run(["report", "--db", db, "--config", cfg, "--out", out, "--now", "2026-03-01T13:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        for bad in ["Infinity", "NaN", "\"inf", "\"nan", "\"-inf"] { #expect(!html.contains(bad), "\(bad) in the page") }
        let e = try KlasterBinary.run(["emissions", "--db", db, "--config", cfg, "--from", "2026-03-01T00:00:00Z",
                                       "--to", "2026-03-01T13:00:00Z", "--every", "1h", "--by", "scope", "--format", "json"])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(!e.stdout.contains("inf") && !e.stdout.contains("nan"))
        let values = try e.stdout.split(separator: "\n").map { line -> Any? in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["co2e_kg"]
        }
        #expect(values.contains { $0 is NSNull })
    }
}
