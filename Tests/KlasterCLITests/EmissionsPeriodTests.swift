import Foundation
import KlasterTestSupport
import Testing

/// `emissions --every W`: periods counted from `--from`, the last one cut at
/// `--to`, and together they add up to the whole-range total.
@Suite struct EmissionsPeriodTests {
    private static let now = ["--now", "2026-04-01T00:00:00Z", "--format", "json"]

    private func rows(_ s: EmissionsScenario, _ args: [String]) throws -> [[String: Any]] {
        let r = try s.run(["emissions"] + args + Self.now)
        #expect(r.status == 0, "\(r.stderr)")
        return try emissionRows(r.stdout)
    }

    private func totals(_ rows: [[String: Any]]) -> [String: Double] {
        var out: [String: Double] = [:]
        for r in rows { out[r["group"] as? String ?? "?", default: 0] += jsonNumber(r["co2e_kg"]) ?? .nan }
        return out
    }

    @Test(arguments: [
        "2025-05-15T00:00:00Z",   // on a day: whole periods read from the daily buckets
        "2025-05-15T00:00:30Z",   // on no stored width: each period summed like a whole-range total
    ])
    func periodsStartAtFromAndAddUpToTheTotal(from: String) throws {
        let s = try EmissionsScenario()
        let range = ["--from", from, "--to", "2026-03-02T00:00:00Z", "--by", "plant"]
        let periods = try rows(s, range + ["--every", "30d"])
        let start = try #require(RFC3339Text.millis(from))
        let day: Int64 = 86_400_000
        for r in periods {
            let t = try #require(RFC3339Text.millis(r["start"] as? String ?? ""))
            #expect(t >= start && (t - start) % (30 * day) == 0, "\(r)")
            // Only the period that reaches --to is shorter: 291 days = 9 × 30d + 21d (less the 30 s offset).
            let last = t == start + 270 * day
            #expect((r["width"] as? String) == (last ? (from.hasSuffix(":30Z") ? "20d23h59m30s" : "21d") : "30d"), "\(r)")
        }
        #expect(totals(periods) == totals(try rows(s, range)))
        // karbamid: 10 000 Nm³ × 2.0 (June) + 20 000 × 1.5 (December) + 10 000 × 1.5 (February);
        // polymer: (50 000 + 50 000 + 50 000) kWh × 0.4.
        #expect(totals(periods) == ["karbamid": 65_000, "polymer": 60_000])
    }
}

/// RFC 3339 → epoch ms for the assertions (Foundation's parser, not Klaster's).
enum RFC3339Text {
    static func millis(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
