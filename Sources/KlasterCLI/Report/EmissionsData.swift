import Foundation
import KlasterCore
import KlasterStore

/// What the emissions, targets, check and report commands read from the
/// store, with the config's factors applied (query time, never stored).
struct EmissionsData {
    let store: Store
    let config: KlasterConfig
    let factors: FactorTable
    let now: EpochMillis
    /// Series that some factor covers, by kind.
    let emitting: [SeriesInfo]
    let allSeries: [SeriesSummary]

    /// Opens the configured database (it must exist) and loads the series list.
    init(config: KlasterConfig, now: EpochMillis, method: EmissionFactor.Method = .location) throws(KlasterError) {
        self.config = config
        self.now = now
        self.store = try Store(path: config.storage.path, durability: config.storage.durability, create: false,
                               widths: config.buckets.widths)
        self.factors = FactorTable(EmissionFactor.effective(configured: config.factors), method: method)
        self.allSeries = try store.series(glob: nil)
        let factors = self.factors
        self.emitting = allSeries.map(\.info).filter { factors.covers(quantity: $0.quantity) }
    }

    /// The clock of a command: `--now` (hidden, for tests) or the system clock.
    static func clock(_ spec: String?) throws(KlasterError) -> EpochMillis {
        let system = EpochMillis((Date().timeIntervalSince1970 * 1000).rounded(.down))
        guard let spec else { return system }
        return try TimeSpec.parse(spec, now: system)
    }

    /// Bucket rows of the given series (by exact key).
    func rows(of series: [SeriesInfo], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [(SeriesInfo, BucketRow)] {
        guard !series.isEmpty, from < to else { return [] }
        return try store.buckets(seriesGlob: series.map(\.key), from: from, to: to, every: every).map { ($0.series, $0.row) }
    }

    /// CO2e contributions in `every`-wide output buckets over `[from, to)`.
    ///
    /// Counters are read at `every`. Rate gauges are integrated hour by hour
    /// (at `every` when that is shorter than an hour, or when no hour divides
    /// it): each hour's mean × 1 h, so an hourly CEMS reading is not diluted
    /// over a day it only partly covers, and an hour without a reading is a
    /// gap contributing nothing. Contributions are then re-bucketed to `every`.
    func contributions(from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [EmissionContribution] {
        let counters = emitting.filter { $0.kind == .counter }
        let gauges = emitting.filter { $0.kind == .gauge }
        let hour: Int64 = 3_600_000
        let gaugeEvery = every > hour && every % hour == 0 ? hour : every
        var out = EmissionCalculator.contributions(try rows(of: counters, from: from, to: to, every: every), factors: factors, now: now)
        let fine = EmissionCalculator.contributions(try rows(of: gauges, from: from, to: to, every: gaugeEvery), factors: factors, now: now)
        let width = BucketWidth(millis: every)
        for var c in fine {
            c.start = width.start(of: c.start)
            c.width = width
            out.append(c)
        }
        return out
    }

    /// Product made (t, `production_t` deltas) by one plant, or by all plants for `nil`.
    func production(plant: String?, from: EpochMillis, to: EpochMillis) throws(KlasterError) -> Double {
        let series = allSeries.map(\.info).filter { $0.quantity == "production_t" && (plant == nil || $0.plant == plant) }
        return try rows(of: series, from: from, to: to, every: 86_400_000).reduce(0) { $0 + ($1.1.delta ?? 0) }
    }

    /// Whether a contribution counts towards a target.
    static func covers(_ t: Target, _ c: EmissionContribution) -> Bool {
        t.scope == .cluster || c.plant == t.plant
    }

    /// Progress of every target in `year`, with the daily contributions they used.
    func targetProgress(year: Int) throws(KlasterError) -> (progress: [TargetProgress], daily: [EmissionContribution]) {
        let interval = CalendarYear.interval(year)
        let to = Swift.min(now, interval.upperBound)
        let daily = interval.lowerBound < to ? try contributions(from: interval.lowerBound, to: to, every: 86_400_000) : []
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
            out.append(TargetProgress(target: t, year: year, now: now, actuals: actuals))
        }
        return (out, daily)
    }

    /// What one alert rule sees in one window.
    func observe(_ rule: AlertRule, window: Range<EpochMillis>) throws(KlasterError) -> AlertObservation {
        if let glob = rule.series {
            let rows = try store.buckets(seriesGlob: [glob], from: window.lowerBound, to: window.upperBound, every: rule.every)
            return rule.observe(rows: rows.map { ($0.series, $0.row) }, window: window)
        }
        let c = try contributions(from: window.lowerBound, to: window.upperBound, every: rule.every)
        return rule.observe(contributions: c, window: window)
    }
}
