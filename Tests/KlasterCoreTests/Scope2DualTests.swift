import Testing
@testable import KlasterCore

@Suite struct Scope2DualTests {
    static let factors = [
        EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.384, scope: .two, method: .location, source: "IFI 2021"),
        EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.05, scope: .two, method: .market, source: "PPA 2026"),
        EmissionFactor(quantity: "steam_mass_t", kgCO2ePerUnit: 176.12, scope: .two, method: .location, source: "EPA"),
        EmissionFactor(quantity: "gas_volume_nm3", kgCO2ePerUnit: 1.885, scope: .one, source: "IPCC"),
    ]

    static func contributions(_ table: FactorTable) -> [EmissionContribution] {
        let rows: [(String, String, QuantityKind, Double)] = [
            ("p/feeder/active_energy_kwh", "active_energy_kwh", .counter, 1000),
            ("p/steam/steam_mass_t", "steam_mass_t", .counter, 10),
            ("p/gas/gas_volume_nm3", "gas_volume_nm3", .counter, 100),
        ]
        let input = rows.enumerated().map { (i, r) -> (SeriesInfo, BucketRow) in
            let info = SeriesInfo(id: SeriesID(i + 1), key: r.0, plant: "p", quantity: r.1, kind: r.2, unit: "")
            let row = BucketRow(series: info.id, width: .day, start: 0, count: 2, sum: 0, min: 0, max: 0, firstTs: 0, first: 0,
                                lastTs: 0, last: 0, delta: r.3)
            return (info, row)
        }
        return EmissionCalculator.contributions(input, factors: table, now: 86_400_000)
    }

    @Test func bothMethodsSideBySideWithSteamFallingBackToLocation() {
        let location = FactorTable(Self.factors, method: .location)
        let market = FactorTable(Self.factors, method: .market)
        #expect(market.hasMarketFactors)
        // Steam has no market-based factor: the market table keeps its location-based one.
        #expect(market.factor(quantity: "steam_mass_t", plant: nil, at: 0)?.kgCO2ePerUnit == 176.12)
        let rows = EmissionGrouping.scope.dualScope2Rows(location: Self.contributions(location), market: Self.contributions(market))
        // scope 1: 100 × 1.885 = 188.5; location: 1000 × 0.384 + 10 × 176.12 = 2145.2; market: 1000 × 0.05 + 1761.2 = 1811.2.
        #expect(rows.map(\.group) == ["scope1", "scope2", "scope2"])
        #expect(rows.map(\.method) == [nil, .location, .market])
        let kg = rows.map { ($0.co2eKg * 1000).rounded() / 1000 }
        #expect(kg == [188.5, 2145.2, 1811.2])
    }

    @Test func noMarketFactorsMeansOneMethod() {
        #expect(!FactorTable(EmissionFactor.defaults, method: .location).hasMarketFactors)
    }
}
