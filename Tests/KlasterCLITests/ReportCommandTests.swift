import Foundation
import KlasterTestSupport
import Testing

@Suite struct ReportCommandTests {
    /// Every `data-value` of shapes matching `attribute="value"` in a chart.
    func values(_ html: String, chart: String, where attr: String, is v: String) throws -> [Double] {
        guard let start = html.range(of: "data-chart=\"\(chart)\"") else { return [] }
        let svg = html[start.lowerBound...].prefix { _ in true }
        let end = svg.range(of: "</svg>")!.lowerBound
        let body = String(svg[..<end])
        let re = try NSRegularExpression(pattern: "\(attr)=\"\(NSRegularExpression.escapedPattern(for: v))\"[^>]*data-value=\"([^\"]+)\"")
        return re.matches(in: body, range: NSRange(body.startIndex..., in: body)).compactMap {
            Range($0.range(at: 1), in: body).flatMap { Double(body[$0]) }
        }
    }

    @Test func chartsMatchTheData() throws {
        let s = try EmissionsScenario()
        let out = s.dir.file("report.html")
        let r = try s.run(["report", "--out", out, "--days", "60", "--now", "2026-04-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        // Self-contained: no scripts, nothing fetched.
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
        // Energy per plant per day: polymer 50 000 kWh on 1 March; gas: karbamid 10 000 Nm³ on 1 February.
        #expect(try values(html, chart: "energy", where: "data-day", is: "2026-03-01") == [50_000])
        #expect(try values(html, chart: "gas", where: "data-plant", is: "karbamid") == [10_000])
        // Target panel: cluster actual 35 t, allowance 86 t, projection 35 × 8760/2164 t (the Baku year
        // began 4 h before the UTC one: 2 164 of its hours had passed at 2026-04-01T00:00Z).
        let actual = try values(html, chart: "target", where: "data-series", is: "actual_to_date_t")
        #expect(actual.first == 35)
        #expect(try values(html, chart: "target", where: "data-series", is: "allowed_year_t").first == 86)
        let projected = try values(html, chart: "target", where: "data-series", is: "projected_year_t").first ?? 0
        #expect(abs(projected - 35.0 * 8760 / 2164) < 1e-9)
        // Top series: polymer energy 20 t, karbamid gas 15 t.
        #expect(try values(html, chart: "top", where: "data-series", is: "polymer/m1/active_energy_kwh") == [20])
        #expect(try values(html, chart: "top", where: "data-series", is: "karbamid/g1/gas_volume_nm3") == [15])
        // KPI: year total 35 t.
        #expect(html.contains("data-kpi=\"total\" data-value=\"35\""))
        #expect(html.contains("off track"))
    }

    @Test func unwritableOutputIsIOError() throws {
        let s = try EmissionsScenario()
        let r = try s.run(["report", "--out", s.dir.file("no/such/dir/r.html"), "--now", "2026-04-01T00:00:00Z"])
        #expect(r.status == 74)
    }
}
