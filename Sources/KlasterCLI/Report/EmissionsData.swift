import Foundation
import KlasterCore
import KlasterStore

/// What the emissions, targets, check and report commands read from the
/// store, with the config's factors applied (query time, never stored).
struct EmissionsData {
    let store: any Store
    let config: KlasterConfig
    private(set) var factors: FactorTable
    let now: EpochMillis
    /// Series that some factor covers, by kind.
    let emitting: [SeriesInfo]
    let allSeries: [SeriesSummary]
    /// `buckets.timezone`: the days, months, quarters and years of emissions, targets, cbam and report.
    let calendar: LocalCalendar

    /// Opens the configured database (it must exist) and loads the series list.
    /// - Parameters:
    ///   - method: Scope-2 method; default `emissions.scope2_method` of the config.
    ///   - writable: `check` saves alert state; the others only read (a
    ///     read-only connection).
    init(config: KlasterConfig, now: EpochMillis, method: EmissionFactor.Method? = nil, writable: Bool = false) throws(KlasterError) {
        self.config = config
        self.now = now
        self.calendar = try LocalCalendar.named(config.buckets.timezone, option: "buckets.timezone")
        self.store = try writable ? config.openStore(create: false) : config.openStoreForReading()
        self.factors = FactorTable(EmissionFactor.effective(configured: config.factors), method: method ?? config.emissions.scope2Method)
        self.allSeries = try store.series(glob: nil)
        let factors = self.factors
        self.emitting = allSeries.map(\.info).filter { factors.covers(quantity: $0.quantity) }
    }

    /// The same store and series with another factor table (the other scope-2 method).
    func with(factors: FactorTable) -> EmissionsData {
        var d = self
        d.factors = factors
        return d
    }

    /// The clock of a command: `--now` (hidden, for tests) or the system clock.
    static func clock(_ spec: String?) throws(KlasterError) -> EpochMillis {
        let system = EpochMillis((Date().timeIntervalSince1970 * 1000).rounded(.down))
        guard let spec else { return system }
        return try TimeSpec.parse(spec, now: system)
    }

    /// Bucket rows of the given series (by id: a key is never read as a glob,
    /// which made the report quadratic in the number of series).
    /// - Complexity: O(series + rows).
    func rows(of series: [SeriesInfo], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [(SeriesInfo, BucketRow)] {
        guard !series.isEmpty, from < to else { return [] }
        return try store.buckets(series: series, from: from, to: to, every: every).map { ($0.series, $0.row) }
    }

    /// CO2e contributions in `every`-wide output buckets over `[from, to)`
    /// (see `Store.emissionContributions`).
    func contributions(from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [EmissionContribution] {
        try store.emissionContributions(series: emitting, from: from, to: to, every: every, factors: factors, now: now)
    }

    /// CO2e contributions in the calendar periods of `buckets.timezone` over
    /// `[from, to)` (periods whose start lies in it, `from` rounded down to its
    /// period): read at the coarsest stored width up to an hour that tiles the
    /// periods, then summed per period. A contribution's `start` is its
    /// period's first instant and its `width` the period's length.
    func calendarContributions(from: EpochMillis, to: EpochMillis, unit: CalendarUnit,
                               factors: FactorTable? = nil) throws(KlasterError) -> [EmissionContribution] {
        let periods = calendar.periods(from: from, to: to, unit)
        guard let first = periods.first, let last = periods.last else { return [] }
        let base = try store.baseWidth(tiling: periods, zone: calendar.identifier, limit: 3_600_000)
        let fine = try store.emissionContributions(series: emitting, from: first.lowerBound, to: last.upperBound, every: base.millis, factors: factors ?? self.factors, now: now)
        let starts = periods.map(\.lowerBound)
        var out: [EmissionContribution] = []
        out.reserveCapacity(fine.count)
        for var c in fine {
            // Last period starting at or before the contribution.
            var lo = 0, hi = starts.count
            while hi - lo > 1 { let mid = (lo + hi) / 2; if starts[mid] <= c.start { lo = mid } else { hi = mid } }
            let p = periods[lo]
            guard p.contains(c.start) else { continue }
            c.start = p.lowerBound
            c.width = BucketWidth(millis: p.upperBound - p.lowerBound)
            out.append(c)
        }
        return out
    }

    /// Product made (t, `production_t` deltas) by one plant, or by all plants for `nil`.
    func production(plant: String?, from: EpochMillis, to: EpochMillis) throws(KlasterError) -> Double {
        let series = allSeries.map(\.info).filter { $0.quantity == "production_t" && (plant == nil || $0.plant == plant) }
        let base = try store.baseWidth(tiling: [from..<from], zone: calendar.identifier)
        return try rows(of: series, from: from, to: to, every: base.millis).reduce(0) { $0 + ($1.1.delta ?? 0) }
    }

    /// Whether a contribution counts towards a target.
    static func covers(_ t: Target, _ c: EmissionContribution) -> Bool {
        t.scope == .cluster || c.plant == t.plant
    }

    /// Progress of every target in `year`, with the daily contributions they used.
    /// Years and days are those of `buckets.timezone`.
    func targetProgress(year: Int) throws(KlasterError) -> (progress: [TargetProgress], daily: [EmissionContribution]) {
        let interval = calendar.interval(year: year)
        let to = Swift.min(now, interval.upperBound)
        let daily = interval.lowerBound < to ? try calendarContributions(from: interval.lowerBound, to: to, unit: .day) : []
        var out: [TargetProgress] = []
        for t in config.targets {
            let mine = daily.filter { Self.covers(t, $0) }
            var actuals: TargetActuals?
            if let first = mine.map(\.start).min() {
                let tonnes = mine.reduce(0) { $0 + $1.co2eKg } / 1000
                var product: Double?
                if t.kind == .intensity {
                    product = try production(plant: t.scope == .plant ? t.plant : nil, from: interval.lowerBound, to: to)
                }
                actuals = TargetActuals(emissionsT: tonnes, productionT: product, firstDataAt: first)
            }
            out.append(TargetProgress(target: t, year: year, now: now, actuals: actuals, interval: interval))
        }
        return (out, daily)
    }
}
