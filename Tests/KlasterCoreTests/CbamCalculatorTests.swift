import Testing
@testable import KlasterCore

@Suite struct CbamCalculatorTests {
    static let ammonia = CbamGood(name: "ammonia", cnCode: "2814 10 00", production: "k/ammonia-unit/ammonia_t",
                                  direct: ["k/gas-inlet/gas_volume_nm3"], electricity: ["k/ammonia-feeder-*/active_energy_kwh"])
    static let urea = CbamGood(name: "urea", cnCode: "3102 10 12", production: "k/urea-line/production_t",
                               direct: ["k/steam-header/steam_mass_t"], electricity: ["k/urea-feeder-*/active_energy_kwh"],
                               precursors: [.init(good: "ammonia", tPerT: 0.5)], defaultSEE: 2.75)

    static func stream(_ series: String, _ amount: Double, kg: Double? = nil, activity: Bool = false) -> StreamCoverage {
        StreamCoverage.measure(series: series, kind: .counter, amounts: [amount], kgPerUnit: kg.map { [$0] } ?? [], activity: activity)
    }

    /// Ammonia: 100 t from 100 000 Nm³ gas (× 1.885 kg/Nm³) and 50 MWh (× 0.384 kg/kWh).
    /// Urea: 200 t, 10 t steam × 2 000 kg/t, 20 MWh, 0.5 t ammonia per t.
    static let data: [String: CbamGoodData] = [
        "ammonia": CbamGoodData(production: [stream("k/ammonia-unit/ammonia_t", 100, activity: true)],
                                direct: [stream("k/gas-inlet/gas_volume_nm3", 100_000, kg: 1.885)],
                                electricity: [stream("k/ammonia-feeder-01/active_energy_kwh", 50_000, kg: 0.384)]),
        "urea": CbamGoodData(production: [stream("k/urea-line/production_t", 200, activity: true)],
                             direct: [stream("k/steam-header/steam_mass_t", 10, kg: 2_000)],
                             electricity: [stream("k/urea-feeder-01/active_energy_kwh", 20_000, kg: 0.384)]),
    ]

    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-9 } ?? false }

    @Test func linearFixtureByHand() throws {
        // Urea listed first: the precursor is still computed first.
        let r = try CbamCalculator.compute(goods: [Self.urea, Self.ammonia], period: "2026", data: Self.data)
        #expect(r.map(\.good.name) == ["urea", "ammonia"])
        let urea = r[0], ammonia = r[1]
        // Ammonia: 188.5 t direct, 19.2 t indirect over 100 t.
        #expect(close(ammonia.directT, 188.5))
        #expect(close(ammonia.indirectT, 19.2))
        #expect(close(ammonia.electricityMWh, 50))
        #expect(close(ammonia.seeDirect, 1.885))
        #expect(close(ammonia.seeIndirect, 0.192))
        // Urea: own 20 t direct and 7.68 t indirect; 100 t ammonia embeds 188.5 t and 19.2 t.
        #expect(close(urea.directT, 20))
        #expect(close(urea.indirectT, 7.68))
        #expect(close(urea.precursorT["ammonia"] ?? 0, 100))
        #expect(close(urea.precursorDirectT, 188.5))
        #expect(close(urea.precursorIndirectT, 19.2))
        #expect(close(urea.seeDirect, (20 + 188.5) / 200))      // 1.0425
        #expect(close(urea.seeIndirect, (7.68 + 19.2) / 200))   // 0.1344
        #expect(close(urea.seeTotal, 1.1769))
        #expect(urea.good.defaultSEE == 2.75)
        #expect(urea.coverage.map(\.series) == ["k/urea-line/production_t", "k/steam-header/steam_mass_t", "k/urea-feeder-01/active_energy_kwh"])
    }

    @Test func directShareAndMeteredPrecursor() throws {
        var ammonia = Self.ammonia
        ammonia.directShare = 0.8
        var urea = Self.urea
        urea.precursors = [.init(good: "ammonia", series: "k/urea-line/ammonia_in_t")]
        var data = Self.data
        data["urea"]!.meteredPrecursorT = ["ammonia": 120]
        let r = try CbamCalculator.compute(goods: [ammonia, urea], period: "2026-Q1", data: data)
        #expect(close(r[0].directT, 150.8))                     // 0.8 × 188.5
        #expect(close(r[0].seeDirect, 1.508))
        #expect(close(r[1].precursorDirectT, 120 * 1.508))
        #expect(close(r[1].seeDirect, (20 + 120 * 1.508) / 200))
        #expect(r[1].period == "2026-Q1")
    }

    @Test func noProductionGivesNoSpecificValue() throws {
        let r = try CbamCalculator.compute(goods: [Self.ammonia], period: "2026", data: [:])
        #expect(r[0].activityT == 0 && r[0].seeDirect == nil && r[0].seeTotal == nil)
    }

    @Test func unknownPrecursorAndCyclesAreConfigErrors() {
        var a = Self.ammonia
        a.precursors = [.init(good: "urea", tPerT: 1)]
        do { _ = try CbamGood.productionOrder([a, Self.urea]); Issue.record("cycle accepted") } catch {
            #expect(error.code == .config)
        }
        do { _ = try CbamGood.productionOrder([Self.urea]); Issue.record("unknown precursor accepted") } catch {
            #expect(error.code == .config)
            #expect(error.message == "cbam.goods 'urea': precursor 'ammonia' is not a [[cbam.goods]] name")
        }
    }
}
