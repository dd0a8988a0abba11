import Foundation
import KlasterTestSupport
import Testing

@Suite struct EmissionsCommandTests {
    @Test(arguments: StoreBackend.allCases) func completePastYearByPlant(backend: StoreBackend) throws {
        let s = try EmissionsScenario(backend: backend)
        let r = try s.run(["emissions", "--from", "2025-01-01", "--to", "2026-01-01", "--by", "plant", "--format", "json",
                           "--now", "2026-04-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try emissionRows(r.stdout)
        // karbamid: 10 000 Nm³ × 2.0 (before the plant factor's valid_from) + 20 000 Nm³ × 1.5 = 50 000 kg, scope 1.
        // polymer: 100 000 kWh × 0.4 = 40 000 kg, scope 2.
        #expect(rows.map { $0["group"] as? String } == ["karbamid", "polymer"])
        #expect(rows.map { jsonNumber($0["co2e_kg"]) } == [50_000, 40_000])
        #expect(rows.map { jsonNumber($0["scope"]) } == [1, 2])
        #expect(rows.map { $0["start"] as? String } == ["2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"])
        #expect(rows.map { $0["width"] as? String } == ["365d", "365d"])
        try Golden.check(r.stdout, "emissions-2025-plant.jsonl")
    }

    @Test(arguments: StoreBackend.allCases) func dailyBucketsApplyTheFactorValidAtEachBucket(backend: StoreBackend) throws {
        let s = try EmissionsScenario(backend: backend)
        let r = try s.run(["emissions", "--from", "2025-06-01", "--to", "2025-12-02", "--every", "1d", "--format", "csv",
                           "--now", "2026-04-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        // Days of Asia/Baku (buckets.timezone): the readings at 00:00Z fall at 04:00 local, in the day that began
        // at 20:00Z the evening before. Jun 1: 10 000 Nm³ × 2.0 = 20 000; Jun 30: 50 000 kWh × 0.4 = 20 000;
        // Dec 1: 20 000 Nm³ × 1.5 = 30 000.
        #expect(r.stdout == """
            group,start,width,scope,co2e_kg,method,timezone
            karbamid,2025-05-31T20:00:00Z,1d,1,20000,,Asia/Baku
            karbamid,2025-11-30T20:00:00Z,1d,1,30000,,Asia/Baku
            polymer,2025-06-29T20:00:00Z,1d,2,20000,,Asia/Baku

            """)
    }

    @Test func monthsOfTheZoneAndFixedWidthsInUTC() throws {
        let s = try EmissionsScenario()
        let months = try s.run(["emissions", "--from", "2026-01-01T00:00:00Z", "--to", "2026-03-02T00:00:00Z", "--every", "1mo",
                                "--by", "cluster", "--format", "csv", "--now", "2026-04-01T00:00:00Z"])
        #expect(months.status == 0, "\(months.stderr)")
        // Baku months: February holds the 2026-02-01T00:00Z gas reading (04:00 local), March the 2026-03-01 energy one.
        // January's only readings (2026-01-01T00:00Z) added nothing.
        #expect(months.stdout == """
            group,start,width,scope,co2e_kg,method,timezone
            cluster,2025-12-31T20:00:00Z,1mo,1,0,,Asia/Baku
            cluster,2025-12-31T20:00:00Z,1mo,2,0,,Asia/Baku
            cluster,2026-01-31T20:00:00Z,1mo,1,15000,,Asia/Baku
            cluster,2026-02-28T20:00:00Z,1mo,2,20000,,Asia/Baku

            """)
        let fixed = try s.run(["emissions", "--from", "2026-02-01T00:00:00Z", "--to", "2026-02-02T00:00:00Z", "--every", "1h",
                               "--by", "cluster", "--format", "csv", "--now", "2026-04-01T00:00:00Z"])
        #expect(fixed.stdout == """
            group,start,width,scope,co2e_kg,method,timezone
            cluster,2026-02-01T00:00:00Z,1h,1,15000,,UTC

            """)
    }

    @Test(arguments: StoreBackend.allCases) func byScopeAndClusterTable(backend: StoreBackend) throws {
        let s = try EmissionsScenario(backend: backend)
        let scope = try s.run(["emissions", "--from", "2026-01-01", "--to", "2026-04-01", "--by", "scope", "--format", "json",
                               "--now", "2026-04-01T00:00:00Z"])
        let rows = try emissionRows(scope.stdout)
        #expect(rows.map { $0["group"] as? String } == ["scope1", "scope2"])
        #expect(rows.map { jsonNumber($0["co2e_kg"]) } == [15_000, 20_000])
        let table = try s.run(["emissions", "--from", "2026-01-01", "--to", "2026-04-01", "--by", "cluster", "--format", "table",
                               "--now", "2026-04-01T00:00:00Z"])
        #expect(table.status == 0)
        try Golden.check(table.stdout, "emissions-2026-cluster.txt")
    }

    @Test func rateGaugeIsIntegratedHourByHour() throws {
        // Two CEMS readings in one hour (mean 2 200 kg/h) and one in the next (1 800 kg/h): 4 000 kg over the day.
        let csv = """
            series,ts,value
            karbamid/stack1/co2_rate_kgh,2026-03-01T00:10:00Z,2000
            karbamid/stack1/co2_rate_kgh,2026-03-01T00:40:00Z,2400
            karbamid/stack1/co2_rate_kgh,2026-03-01T01:20:00Z,1800

            """
        let s = try EmissionsScenario(csv: csv)
        let r = try s.run(["emissions", "--from", "2026-03-01", "--to", "2026-03-02", "--every", "1d", "--format", "json",
                           "--now", "2026-03-05T00:00:00Z"])
        #expect(try emissionRows(r.stdout).map { jsonNumber($0["co2e_kg"]) } == [4_000])
    }

    @Test func raggedRangeIsExactAtTheEdges() throws {
        let s = try EmissionsScenario()
        func total(_ from: String, _ to: String) throws -> [Double?] {
            let r = try s.run(["emissions", "--from", from, "--to", to, "--by", "scope", "--format", "json", "--now", "2026-04-01"])
            #expect(r.status == 0, "\(r.stderr)")
            return try emissionRows(r.stdout).filter { $0["group"] as? String == "scope2" }.map { jsonNumber($0["co2e_kg"]) }
        }
        // The increase read at 2025-12-31T00:00:00Z is in [.., 00:00:01) but not in [.., 23:59:59 the day before).
        #expect(try total("2025-06-29T12:00:00Z", "2025-12-31T00:00:01Z") == [40_000])
        #expect(try total("2025-06-29T12:00:00Z", "2025-12-30T23:59:59Z") == [20_000])
    }

    @Test func rateGaugeHoursCutByTheRangeCountProRata() throws {
        let csv = """
            series,ts,value
            karbamid/stack1/co2_rate_kgh,2026-03-01T00:10:00Z,2000
            karbamid/stack1/co2_rate_kgh,2026-03-01T00:40:00Z,2400
            karbamid/stack1/co2_rate_kgh,2026-03-01T01:20:00Z,1800

            """
        let s = try EmissionsScenario(csv: csv)
        // Half of hour 0 (2 200 kg/h) and half of hour 1 (1 800 kg/h): 1 100 + 900 = 2 000 kg.
        let r = try s.run(["emissions", "--from", "2026-03-01T00:30:00Z", "--to", "2026-03-01T01:30:00Z", "--format", "json",
                           "--now", "2026-03-05T00:00:00Z"])
        #expect(try emissionRows(r.stdout).map { jsonNumber($0["co2e_kg"]) } == [2_000])
    }

    @Test func builtInDefaultsWithoutConfiguredFactors() throws {
        let csv = """
            series,ts,value
            p/m/active_energy_kwh,2026-03-01T00:00:00Z,0
            p/m/active_energy_kwh,2026-03-01T01:00:00Z,1000
            p/s/steam_mass_t,2026-03-01T00:00:00Z,0
            p/s/steam_mass_t,2026-03-01T01:00:00Z,10

            """
        let s = try EmissionsScenario(toml: "", csv: csv)
        let r = try s.run(["emissions", "--from", "2026-03-01", "--to", "2026-03-02", "--format", "json", "--now", "2026-03-05"])
        // Scope 2 only: 1 000 kWh × 0.384 + 10 t × 176.12 = 384 + 1 761.2 = 2 145.2 kg.
        #expect(try emissionRows(r.stdout).map { jsonNumber($0["co2e_kg"]) } == [2_145.2])
    }

    @Test func badUsageExits64AndMissingDatabase66() throws {
        let s = try EmissionsScenario()
        let bad = try s.run(["emissions", "--from", "2026-01-01", "--to", "2026-04-01", "--by", "meter"])
        #expect(bad.status == 64)
        #expect(bad.stderr.hasPrefix("klaster: bad --by 'meter'"))
        let missing = try KlasterBinary.run(["emissions", "--db", s.dir.file("nope.db"), "--from=-1d", "--to", "now"])
        #expect(missing.status == 66)
    }
}
