import Testing
@testable import KlasterCore

private let hourStart: EpochMillis = 1_772_366_400_000 // 2026-03-01T12:00Z

func bucket(_ series: SeriesID = 1, width: BucketWidth = .hour, start: EpochMillis = hourStart,
            values: [(EpochMillis, Double)], delta: Double? = nil) -> BucketRow {
    precondition(!values.isEmpty)
    let vs = values.map(\.1)
    return BucketRow(series: series, width: width, start: start, count: Int64(values.count), sum: vs.reduce(0, +),
                     min: vs.min()!, max: vs.max()!, firstTs: values.first!.0, first: values.first!.1,
                     lastTs: values.last!.0, last: values.last!.1, delta: delta)
}

func info(_ id: SeriesID, _ key: String, kind: QuantityKind) -> SeriesInfo {
    let parts = key.split(separator: "/").map(String.init)
    return SeriesInfo(id: id, key: key, plant: parts.first, quantity: parts.last, kind: kind, unit: "")
}

@Suite struct EmissionCalculatorTests {
    let grid = EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.384, scope: .two, source: "IFI")
    let cems = EmissionFactor(quantity: "co2_rate_kgh", kgCO2ePerUnit: 1.0, scope: .one, source: "CEMS")

    @Test func counterDeltaTimesFactor() {
        // Register went 10 000 → 11 250 kWh: delta 1 250 kWh × 0.384 = 480 kg.
        let row = bucket(values: [(hourStart, 10_000), (hourStart + 3_540_000, 11_250)], delta: 1_250)
        #expect(abs(EmissionCalculator.co2eKg(row: row, kind: .counter, factor: grid, now: hourStart + 86_400_000) - 480) < 1e-9)
        // Delta-only correction row (count 0) still counts.
        let correction = BucketRow(series: 1, width: .hour, start: hourStart, count: 0, sum: 0, min: .infinity, max: -.infinity,
                                   firstTs: .max, first: 0, lastTs: .min, last: 0, delta: 10)
        #expect(abs(EmissionCalculator.co2eKg(row: correction, kind: .counter, factor: grid, now: hourStart) - 3.84) < 1e-12)
    }

    @Test func rateGaugeIntegratesMeanOverBucketHours() {
        // CEMS 2 000 and 2 400 kg/h: mean 2 200 kg/h × 1 h = 2 200 kg.
        let hour = bucket(values: [(hourStart, 2_000), (hourStart + 1_800_000, 2_400)])
        #expect(EmissionCalculator.co2eKg(row: hour, kind: .gauge, factor: cems, now: hourStart + 7_200_000) == 2_200)
        // Same mean over a day bucket: 2 200 × 24 = 52 800 kg.
        var day = hour
        day.width = .day
        #expect(EmissionCalculator.co2eKg(row: day, kind: .gauge, factor: cems, now: hourStart + 2 * 86_400_000) == 52_800)
    }

    @Test func partialCoverageExtrapolatesTheMeanAndOpenBucketStopsAtNow() {
        // One reading at minute 50 (1 800 kg/h): the mean stands for the whole hour.
        let sparse = bucket(values: [(hourStart + 3_000_000, 1_800)])
        #expect(EmissionCalculator.co2eKg(row: sparse, kind: .gauge, factor: cems, now: hourStart + 3_600_000) == 1_800)
        // The open bucket at 12:15 counts a quarter hour: 2 200 × 0.25 = 550 kg.
        let open = bucket(values: [(hourStart, 2_000), (hourStart + 600_000, 2_400)])
        #expect(EmissionCalculator.co2eKg(row: open, kind: .gauge, factor: cems, now: hourStart + 900_000) == 550)
    }

    @Test func gaugeHoursCutByTheQueryRangeCountProRata() {
        // Mean 2 200 kg/h; the range starts at 12:30 → half the hour: 1 100 kg. Counters cannot be split.
        let hour = bucket(values: [(hourStart, 2_000), (hourStart + 1_800_000, 2_400)], delta: nil)
        let within = (hourStart + 1_800_000)..<(hourStart + 7_200_000)
        #expect(EmissionCalculator.co2eKg(row: hour, kind: .gauge, factor: cems, now: hourStart + 86_400_000, within: within) == 1_100)
        let counter = bucket(values: [(hourStart, 0)], delta: 100)
        #expect(abs(EmissionCalculator.co2eKg(row: counter, kind: .counter, factor: grid, now: hourStart, within: within) - 38.4) < 1e-9)
    }

    @Test func contributionsGroupByPlantClusterAndScope() {
        let polyE = info(1, "socar-polymer/m1/active_energy_kwh", kind: .counter)
        let karbE = info(2, "socar-karbamid/m2/active_energy_kwh", kind: .counter)
        let karbC = info(3, "socar-karbamid/stack1/co2_rate_kgh", kind: .gauge)
        let water = info(4, "socar-karbamid/w/water_volume_m3", kind: .counter)
        let rows: [(SeriesInfo, BucketRow)] = [
            (polyE, bucket(1, values: [(hourStart, 0)], delta: 1_000)),         // 384 kg scope 2
            (karbE, bucket(2, values: [(hourStart, 0)], delta: 500)),           // 192 kg scope 2
            (karbC, bucket(3, values: [(hourStart, 1_000), (hourStart + 1, 1_200)])), // 1 100 kg scope 1
            (water, bucket(4, values: [(hourStart, 0)], delta: 99)),            // no factor
        ]
        let c = EmissionCalculator.contributions(rows, factors: FactorTable([grid, cems]), now: hourStart + 3_600_000)
        #expect(c.count == 3)
        let byPlant = EmissionGrouping.plant.rows(c)
        #expect(byPlant.map(\.group) == ["socar-karbamid", "socar-karbamid", "socar-polymer"])
        #expect(byPlant.map(\.scope) == [.one, .two, .two])
        #expect(byPlant.map { ($0.co2eKg * 1000).rounded() / 1000 } == [1_100, 192, 384])
        let cluster = EmissionGrouping.cluster.rows(c)
        #expect(cluster.map(\.co2eKg).map { ($0 * 1000).rounded() / 1000 } == [1_100, 576])
        let scope = EmissionGrouping.scope.rows(c)
        #expect(scope.map(\.group) == ["scope1", "scope2"])
        #expect(EmissionGrouping.matches("socar-polymer", c[0]))
        #expect(!EmissionGrouping.matches("scope1", c[0]))
    }
}
