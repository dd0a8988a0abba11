import Foundation
import KlasterTestSupport
import Testing

@Suite struct TargetsCommandTests {
    @Test(arguments: StoreBackend.allCases) func completePastYear(backend: StoreBackend) throws {
        let s = try EmissionsScenario(backend: backend)
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

    @Test(arguments: StoreBackend.allCases) func currentYearPartWay(backend: StoreBackend) throws {
        let s = try EmissionsScenario(backend: backend)
        let r = try s.run(["targets", "--format", "json", "--now", "2026-04-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try emissionRows(r.stdout)
        // The year is the Asia/Baku one (buckets.timezone default): it began at 2025-12-31T20:00Z, so at
        // 2026-04-01T00:00Z 2 164 of its 8 760 hours have passed.
        // cluster 2026: allowance 86 t; to date 86 × 2164/8760 = 21.245 t; actual 20 + 15 = 35 t;
        // projected 35 × 8760/2164 = 141.682 t → both exceeded → off_track.
        #expect(jsonNumber(rows[0]["year"]) == 2026)
        #expect(rows[0]["timezone"] as? String == "Asia/Baku")
        #expect(rows[0]["scope2_method"] as? String == "location")
        #expect(jsonNumber(rows[0]["allowed_year_t"]) == 86)
        #expect(jsonNumber(rows[0]["allowed_to_date_t"]) == 86 * (2164.0 / 8760)) // JSON keeps full precision
        #expect(jsonNumber(rows[0]["actual_to_date_t"]) == 35)
        #expect(abs((jsonNumber(rows[0]["projected_year_t"]) ?? 0) - 35 * 8760.0 / 2164) < 1e-9)
        #expect(rows[0]["status"] as? String == "off_track")
        // karbamid 2026: 0.5 × 0.9 = 0.45 t/t; 15 t over 100 t = 0.15 t/t; allowed to date 45 t,
        // year 45 × 8760/2164 = 182.163 t; projected 15 × 8760/2164 = 60.721 t.
        #expect(jsonNumber(rows[1]["allowed_intensity"]) == 0.45)
        #expect(jsonNumber(rows[1]["actual_intensity"]) == 0.15)
        #expect(jsonNumber(rows[1]["allowed_to_date_t"]) == 45)
        #expect(abs((jsonNumber(rows[1]["allowed_year_t"]) ?? 0) - 45 * 8760.0 / 2164) < 1e-9)
        #expect(abs((jsonNumber(rows[1]["projected_year_t"]) ?? 0) - 15 * 8760.0 / 2164) < 1e-9)
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
