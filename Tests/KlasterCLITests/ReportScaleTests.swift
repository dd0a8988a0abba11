import Foundation
import KlasterTestSupport
import Testing

/// `klaster report` reads each series once by id: 20,000 series complete
/// (quadratic before: 30 s in a release build). No timing is asserted; the
/// figures are in README's performance section.
@Test func reportOver20000SeriesCompletesWithTheirGaps() throws {
    let dir = try TemporaryDirectory(prefix: "report-scale")
    var csv = "series,ts,value\n"
    for i in 0..<20_000 { csv += "p/m\(i)/temperature_c,2026-03-01T10:30:00Z,21.5\n" }
    let file = try dir.write("many.csv", csv)
    let db = dir.file("k.db")
    let imported = try KlasterBinary.run(["import", "--db", db, file], timeout: .seconds(600))
    #expect(imported.status == 0, "\(imported.stderr)")
    let out = dir.file("report.html")
    let r = try KlasterBinary.run(["report", "--db", db, "--out", out, "--now", "2026-03-01T13:00:00Z"], timeout: .seconds(600))
    #expect(r.status == 0, "\(r.stderr)")
    let html = try String(contentsOfFile: out, encoding: .utf8)
    // Each series: hours 10, 11 and 12 expected, only 10 has a reading.
    #expect(html.contains("data-kpi=\"gaps\" data-value=\"40000\""))
    #expect(html.contains("20000 series with missing hours"))
}
