import Testing
@testable import KlasterCore

private let jan2026: EpochMillis = 1_767_225_600_000
private let mar2026: EpochMillis = 1_772_323_200_000
private let apr2026: EpochMillis = 1_775_001_600_000 // 90 days into 2026 (31 + 28 + 31)
private let jun2026: EpochMillis = 1_780_272_000_000

private func near(_ a: Double?, _ b: Double, _ tol: Double = 1e-6) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tol * Swift.max(1, abs(b))
}

@Suite struct TargetTests {
    /// The target of deploy/klaster.example.toml: 1.5 Mt in 2024, −42 % by 2030.
    let cluster = Target(name: "cluster-2030", scope: .cluster, kind: .absolute, baseYear: 2024, baseTonnes: 1_500_000,
                         targetYear: 2030, reduction: 0.42)

    @Test func linearPathway() {
        // 2026: 1 − 0.42 × 2/6 = 0.86 → 1 290 000 t.
        #expect(near(cluster.allowedTonnes(year: 2026), 1_290_000))
        #expect(near(cluster.allowedTonnes(year: 2024), 1_500_000))
        #expect(near(cluster.allowedTonnes(year: 2025), 1_395_000)) // 1 − 0.07
        #expect(near(cluster.allowedTonnes(year: 2030), 870_000))
        // Flat before the base year, held at the target level after the target year.
        #expect(near(cluster.allowedTonnes(year: 2020), 1_500_000))
        #expect(near(cluster.allowedTonnes(year: 2035), 870_000))
        #expect(cluster.allowedIntensity(year: 2026) == nil)
    }

    @Test func calendarYears() {
        #expect(CalendarYear.start(2026) == jan2026)
        #expect(CalendarYear.year(of: apr2026) == 2026)
        #expect(CalendarYear.year(of: jan2026 - 1) == 2025)
        #expect(CalendarYear.interval(2024).count == 366 * 86_400_000)
    }

    @Test func completePastYear() {
        // 2025 is over at June 2026: allowance to date = the whole 1 395 000 t.
        let over = TargetProgress(target: cluster, year: 2025, now: jun2026,
                                  actuals: TargetActuals(emissionsT: 1_400_000, firstDataAt: CalendarYear.start(2025)))
        #expect(near(over.allowedYearT, 1_395_000))
        #expect(near(over.allowedToDateT, 1_395_000))
        #expect(over.actualToDateT == 1_400_000)
        #expect(over.projectedYearT == 1_400_000)
        #expect(over.status == .offTrack)
        let under = TargetProgress(target: cluster, year: 2025, now: jun2026,
                                   actuals: TargetActuals(emissionsT: 1_300_000, firstDataAt: CalendarYear.start(2025) + 86_400_000 * 40))
        #expect(under.projectedYearT == 1_300_000) // a past year's projection is its actual
        #expect(under.status == .onTrack)
    }

    @Test func currentYearPartWay() {
        // 1 April 2026: 90 of 365 days elapsed. Allowance to date 1 290 000 × 90/365 = 318 082.19 t.
        let p = TargetProgress(target: cluster, year: 2026, now: apr2026,
                               actuals: TargetActuals(emissionsT: 300_000, firstDataAt: jan2026))
        #expect(near(p.elapsedShare, 90.0 / 365))
        #expect(near(p.allowedToDateT, 318_082.191_780_8))
        #expect(near(p.projectedYearT, 1_216_666.666_666_7)) // 300 000 × 365/90
        #expect(p.status == .onTrack)
        let both = TargetProgress(target: cluster, year: 2026, now: apr2026,
                                  actuals: TargetActuals(emissionsT: 330_000, firstDataAt: jan2026))
        #expect(near(both.projectedYearT, 1_338_333.333_333_3))
        #expect(both.status == .offTrack)
    }

    @Test func runRateCountsFromFirstData() {
        // Meters installed 1 March: 31 days observed by 1 April.
        // 120 000 t ≤ 318 082 t allowed to date, but 120 000 × 365/31 = 1 412 903 t > 1 290 000 t → at risk.
        let p = TargetProgress(target: cluster, year: 2026, now: apr2026,
                               actuals: TargetActuals(emissionsT: 120_000, firstDataAt: mar2026))
        #expect(near(p.projectedYearT, 1_412_903.225_806_5))
        #expect(p.status == .atRisk)
        // 100 000 t → 1 177 419 t projected: on track.
        let q = TargetProgress(target: cluster, year: 2026, now: apr2026,
                               actuals: TargetActuals(emissionsT: 100_000, firstDataAt: mar2026))
        #expect(q.status == .onTrack)
    }

    @Test func noData() {
        #expect(TargetProgress(target: cluster, year: 2026, now: apr2026, actuals: nil).status == .noData)
        #expect(TargetProgress(target: cluster, year: 2026, now: apr2026,
                               actuals: TargetActuals(emissionsT: 0, firstDataAt: nil)).status == .noData)
        // A future year has no elapsed time.
        let future = TargetProgress(target: cluster, year: 2027, now: apr2026,
                                    actuals: TargetActuals(emissionsT: 5, firstDataAt: jan2026))
        #expect(future.status == .noData)
        #expect(future.allowedToDateT == 0)
    }

    @Test func intensityTarget() {
        // Karbamid: 0.9 t CO2e per t product in 2024, −30 % by 2030 → 2026 allows 0.9 × (1 − 0.3 × 2/6) = 0.81.
        let t = Target(name: "karbamid-intensity", scope: .plant, plant: "socar-karbamid", kind: .intensity, baseYear: 2024,
                       baseIntensity: 0.9, targetYear: 2030, reduction: 0.3)
        #expect(near(t.allowedIntensity(year: 2026), 0.81))
        // 150 000 t product, 118 000 t CO2e by 1 April: 0.7867 ≤ 0.81.
        let p = TargetProgress(target: t, year: 2026, now: apr2026,
                               actuals: TargetActuals(emissionsT: 118_000, productionT: 150_000, firstDataAt: jan2026))
        #expect(near(p.allowedToDateT, 121_500))              // 0.81 × 150 000
        #expect(near(p.allowedYearT, 492_750))                // 121 500 × 365/90
        #expect(near(p.projectedYearT, 478_555.555_555_6))    // 118 000 × 365/90
        #expect(near(p.actualIntensity, 118_000.0 / 150_000))
        #expect(p.status == .onTrack)
        let bad = TargetProgress(target: t, year: 2026, now: apr2026,
                                 actuals: TargetActuals(emissionsT: 125_000, productionT: 150_000, firstDataAt: jan2026))
        #expect(bad.status == .offTrack)
        let noProduct = TargetProgress(target: t, year: 2026, now: apr2026,
                                       actuals: TargetActuals(emissionsT: 125_000, productionT: 0, firstDataAt: jan2026))
        #expect(noProduct.status == .noData)
    }
}
