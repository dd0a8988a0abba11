import Foundation
import KlasterTestSupport
import Testing

@Suite struct TargetsCommandTests {
    @Test func completePastYear() throws {
        let s = try EmissionsScenario()
        let r = try s.run(["targets", "--year", "2025", "--format", "json", "--now", "2026-04-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try emissionRows(r.stdout)
        #expect(rows.count == 2)
        // cluster: 2025 allows 100 × (1 − 0.42 × 1/6) = 93 t; actual 40 + 50 = 90 t; a past year's projection is its actual.
        #expect(rows[0]["target"] as? String == "cluster-abs")
        #expect(jsonNumber(rows[0]["allowed_year_t"]) == 93)
        #expect(jsonNumber(rows[0]["allowed_to_date_t"]) == 93)
        #expect(jsonNumber(rows[0]["actual_to_date_t"]) == 90)
        #expect(jsonNumber(rows[0]["projected_year_t"]) == 90)
        #expect(rows[0]["status"] as? String == "on_track")
        // karbamid intensity: 50 t / 200 t = 0.25 t/t against 0.5 × (1 − 0.3/6) = 0.475 t/t.
        #expect(jsonNumber(rows[1]["actual_intensity"]) == 0.25)
        #expect(jsonNumber(rows[1]["allowed_intensity"]) == 0.475)
        #expect(jsonNumber(rows[1]["allowed_to_date_t"]) == 95) // 0.475 × 200
        #expect(rows[1]["status"] as? String == "on_track")
        try Golden.check(r.stdout, "targets-2025.jsonl")
    }

    @Test func currentYearPartWay() throws {
        let s = try EmissionsScenario()
        let r = try s.run(["targets", "--format", "json", "--now", "2026-04-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try emissionRows(r.stdout)
        // cluster 2026: allowance 86 t; to date 86 × 90/365 = 21.205 t; actual 20 + 15 = 35 t;
        // projected 35 × 365/90 = 141.944 t → both exceeded → off_track.
        #expect(jsonNumber(rows[0]["year"]) == 2026)
        #expect(jsonNumber(rows[0]["allowed_year_t"]) == 86)
        #expect(jsonNumber(rows[0]["allowed_to_date_t"]) == 86 * (90.0 / 365)) // JSON keeps full precision: 21.205479452054792
        #expect(jsonNumber(rows[0]["actual_to_date_t"]) == 35)
        #expect(jsonNumber(rows[0]["projected_year_t"]) == 35 * (365.0 / 90))
        #expect(rows[0]["status"] as? String == "off_track")
        // karbamid 2026: 0.5 × 0.9 = 0.45 t/t; 15 t over 100 t = 0.15 t/t; allowed to date 45 t, year 45 × 365/90 = 182.5 t.
        #expect(jsonNumber(rows[1]["allowed_intensity"]) == 0.45)
        #expect(jsonNumber(rows[1]["actual_intensity"]) == 0.15)
        #expect(jsonNumber(rows[1]["allowed_to_date_t"]) == 45)
        #expect(jsonNumber(rows[1]["allowed_year_t"]) == 182.5)
        #expect(jsonNumber(rows[1]["projected_year_t"]) == 15 * (365.0 / 90))
        #expect(rows[1]["status"] as? String == "on_track")
        let table = try s.run(["targets", "--format", "table", "--now", "2026-04-01T00:00:00Z"])
        try Golden.check(table.stdout, "targets-2026.txt")
    }

    @Test func yearWithoutDataIsNoData() throws {
        let s = try EmissionsScenario()
        let r = try s.run(["targets", "--year", "2024", "--format", "json", "--now", "2026-04-01T00:00:00Z"])
        let rows = try emissionRows(r.stdout)
        #expect(rows.map { $0["status"] as? String } == ["no_data", "no_data"])
        #expect(jsonNumber(rows[0]["allowed_year_t"]) == 100)
        #expect(rows[0]["actual_to_date_t"] is NSNull)
    }
}
