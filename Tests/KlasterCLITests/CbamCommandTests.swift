import Foundation
import KlasterTestSupport
import Testing

/// A linear fixture over the first quarter of 2026 in Asia/Baku
/// ([2025-12-31T20:00Z, 2026-03-31T20:00Z), 2 160 hours), one reading per
/// hour at :30, every number computable by hand:
///
/// | series | per hour | quarter |
/// |---|---|---|
/// | ammonia-unit/ammonia_t | +1 t | 2 160 t |
/// | gas-inlet/gas_volume_nm3 (× 2 kg/Nm³) | +1 000 Nm³, no readings in hours 100–102 | 2 160 000 Nm³ = 4 320 t |
/// | ammonia-feeder-01/active_energy_kwh (× 0.4) | +500 kWh | 1 080 MWh = 432 t |
/// | urea-line/production_t | +2 t | 4 320 t |
/// | reformer-stack/co2_rate_kgh (× 1) | 1 000 kg/h, 1 600 in hour 50, none in the last two hours | 2 158.6 t measured |
/// | urea-feeder-01/active_energy_kwh (× 0.4) | +250 kWh | 540 MWh = 216 t |
struct CbamFixture {
    static let p0: Int64 = 1_767_211_200_000 // 2025-12-31T20:00:00Z = 2026-01-01T00:00 in Baku
    static let hours = 2_160

    static let toml = """
        [quantities.ammonia_t]
        kind = "counter"
        unit = "t"

        [[factors]]
        quantity = "gas_volume_nm3"
        kg_co2e_per_unit = 2.0
        scope = 1
        source = "test gas"

        [[factors]]
        quantity = "co2_rate_kgh"
        kg_co2e_per_unit = 1.0
        scope = 1
        source = "cems"

        [[factors]]
        quantity = "active_energy_kwh"
        kg_co2e_per_unit = 0.4
        scope = 2
        method = "location"
        source = "test grid 2026"

        [[factors]]
        quantity = "active_energy_kwh"
        kg_co2e_per_unit = 0.1
        scope = 2
        method = "market"
        source = "test PPA 2026"

        [[cbam.goods]]
        name = "ammonia"
        cn_code = "2814 10 00"
        production = "socar-karbamid/ammonia-unit/ammonia_t"
        direct = ["socar-karbamid/gas-inlet/gas_volume_nm3"]
        electricity = ["socar-karbamid/ammonia-feeder-*/active_energy_kwh"]

        [[cbam.goods]]
        name = "urea"
        cn_code = "3102 10 12"
        production = "socar-karbamid/urea-line/production_t"
        direct = ["socar-karbamid/reformer-stack/co2_rate_kgh"]
        electricity = ["socar-karbamid/urea-feeder-*/active_energy_kwh"]
        precursors = [{ good = "ammonia", t_per_t = 0.5 }]
        default_see = 2.75

        """

    static var csv: String {
        var lines = ["series,ts,value"]
        func counter(_ key: String, perHour: Double, skip: Set<Int> = []) {
            lines.append("\(key),\(p0 - 1_800_000),0")
            for h in 0..<hours where !skip.contains(h) {
                lines.append("\(key),\(p0 + Int64(h) * 3_600_000 + 1_800_000),\(Double(h + 1) * perHour)")
            }
        }
        counter("socar-karbamid/ammonia-unit/ammonia_t", perHour: 1)
        counter("socar-karbamid/gas-inlet/gas_volume_nm3", perHour: 1000, skip: [100, 101, 102])
        counter("socar-karbamid/ammonia-feeder-01/active_energy_kwh", perHour: 500)
        counter("socar-karbamid/urea-line/production_t", perHour: 2)
        counter("socar-karbamid/urea-feeder-01/active_energy_kwh", perHour: 250)
        for h in 0..<(hours - 2) {
            lines.append("socar-karbamid/reformer-stack/co2_rate_kgh,\(p0 + Int64(h) * 3_600_000 + 1_800_000),\(h == 50 ? 1600 : 1000)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

@Suite(.serialized) struct CbamCommandTests {
    static let scenario = Result { try EmissionsScenario(toml: CbamFixture.toml, csv: CbamFixture.csv) }

    func close(_ a: Any?, _ b: Double, _ tolerance: Double = 1e-6) -> Bool {
        guard let a = jsonNumber(a) else { return false }
        return abs(a - b) <= tolerance
    }

    @Test func linearFixtureSEEByHandWithPrecursorChainAndCoverage() throws {
        let s = try Self.scenario.get()
        let r = try s.run(["cbam", "--year", "2026", "--quarter", "1", "--format", "json", "--now", "2026-05-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try emissionRows(r.stdout)
        #expect(rows.map { $0["good"] as? String } == ["ammonia", "urea"])
        let ammonia = rows[0], urea = rows[1]
        #expect(ammonia["cn_code"] as? String == "2814 10 00")
        #expect(ammonia["period"] as? String == "2026-Q1")
        #expect(ammonia["timezone"] as? String == "Asia/Baku")
        #expect(close(ammonia["activity_t"], 2160))
        #expect(close(ammonia["direct_t"], 4320))           // 2 160 000 Nm³ × 2 kg/Nm³
        #expect(close(ammonia["indirect_t"], 432))          // 1 080 MWh × 0.4 t/MWh
        #expect(close(ammonia["electricity_mwh"], 1080))
        #expect(close(ammonia["see_direct"], 2.0))
        #expect(close(ammonia["see_indirect"], 0.2))
        #expect(close(ammonia["see_total"], 2.2))
        #expect(ammonia["default_see"] is NSNull)
        // Urea: own 2 161.8 t direct (2 158.6 t measured + 2 empty hours × the largest hour, 1.6 t),
        // 216 t indirect; 0.5 × 4 320 t = 2 160 t ammonia embeds 4 320 t direct and 432 t indirect.
        #expect(close(urea["activity_t"], 4320))
        #expect(close(urea["direct_t"], 2161.8))
        #expect(close(urea["indirect_t"], 216))
        #expect(close(urea["precursor_direct_t"], 4320))
        #expect(close(urea["precursor_indirect_t"], 432))
        #expect(close(urea["see_direct"], 6481.8 / 4320))   // 1.500417
        #expect(close(urea["see_indirect"], 0.15))          // 648 / 4 320
        #expect(close(urea["see_total"], 7129.8 / 4320))    // 1.650417
        #expect(close(urea["default_see"], 2.75))
        let factors = try #require(urea["electricity_factors"] as? [[String: Any]])
        #expect(factors.count == 1)
        #expect(close(factors[0]["kg_co2e_per_kwh"], 0.4))
        #expect(factors[0]["source"] as? String == "test grid 2026")
        let coverage = try #require(urea["coverage"] as? [[String: Any]])
        #expect(coverage.map { $0["series"] as? String } == ["socar-karbamid/urea-line/production_t",
                                                             "socar-karbamid/reformer-stack/co2_rate_kgh",
                                                             "socar-karbamid/urea-feeder-01/active_energy_kwh"])
        let stack = coverage[1]
        #expect(jsonNumber(stack["slots"]) == 2160)
        #expect(jsonNumber(stack["slots_with_data"]) == 2158)
        #expect(jsonNumber(stack["substituted_slots"]) == 2)
        #expect(close(stack["substituted_amount"], 3200))
        #expect(stack["substitution"] as? String == "max_slot")
        let gas = try #require((ammonia["coverage"] as? [[String: Any]])?.first { $0["series"] as? String == "socar-karbamid/gas-inlet/gas_volume_nm3" })
        #expect(jsonNumber(gas["slots_with_data"]) == 2157)
        #expect(gas["substitution"] as? String == "register")  // the register bridged hours 100–102
        #expect(jsonNumber(gas["substituted_slots"]) == 0)
    }

    @Test func marketMethodChangesOnlyTheIndirectPart() throws {
        let s = try Self.scenario.get()
        let dir = try TemporaryDirectory(prefix: "cbam-market")
        let config = try dir.write("k.toml", CbamFixture.toml + "\n[emissions]\nscope2_method = \"market\"\n")
        let r = try KlasterBinary.run(["cbam", "--year", "2026", "--quarter", "1", "--format", "json", "--now", "2026-05-01T00:00:00Z",
                                       "--config", config, "--db", s.db])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try emissionRows(r.stdout)
        #expect(close(rows[0]["indirect_t"], 108))  // 1 080 MWh × 0.1
        #expect(close(rows[0]["direct_t"], 4320))
    }

    @Test func scope2BothMethodsSideBySide() throws {
        let s = try Self.scenario.get()
        let r = try s.run(["emissions", "--from", "2025-12-31T20:00:00Z", "--to", "2026-03-31T20:00:00Z", "--by", "scope",
                           "--format", "json", "--now", "2026-05-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try emissionRows(r.stdout)
        #expect(rows.map { $0["group"] as? String } == ["scope1", "scope2", "scope2"])
        #expect(rows.map { $0["method"] as? String } == [nil, "location", "market"])
        // scope 1: 4 320 t gas + 2 158.6 t measured CEMS; scope 2: 1 620 MWh × 0.4 and × 0.1.
        #expect(close(rows[0]["co2e_kg"], 6_478_600, 1e-3))
        #expect(close(rows[1]["co2e_kg"], 648_000, 1e-3))
        #expect(close(rows[2]["co2e_kg"], 162_000, 1e-3))
    }

    @Test func tableNamesTheZoneAndNoGoodsIsAConfigError() throws {
        let s = try Self.scenario.get()
        let table = try s.run(["cbam", "--year", "2026", "--quarter", "1", "--format", "csv", "--now", "2026-05-01T00:00:00Z"])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("good,cn_code,period,timezone,activity_t,direct_t,indirect_t,electricity_mwh,") == true)
        #expect(lines.count == 3)
        #expect(lines[2].hasPrefix("urea,3102 10 12,2026-Q1,Asia/Baku,4320,2161.8,216,540,4320,432,1.50041666666"))
        let dir = try TemporaryDirectory(prefix: "cbam-none")
        let none = try dir.write("k.toml", "")
        let r = try KlasterBinary.run(["cbam", "--config", none, "--db", s.db])
        #expect(r.status == 78)
        #expect(r.stderr == "klaster: no [[cbam.goods]] in \(none) (add the goods to report; see deploy/klaster.example.toml)\n")
        let q = try s.run(["cbam", "--quarter", "5"])
        #expect(q.status == 64)
    }
}
