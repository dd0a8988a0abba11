import Foundation
import KlasterCore
import KlasterStore

/// What the emissions, targets, check and report commands read from the
/// store, with the config's factors applied (query time, never stored).
struct EmissionsData {
    let store: any Store
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
        self.store = try config.openStore(create: false)
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

    /// CO2e contributions in `every`-wide output buckets over `[from, to)`
    /// (see `Store.emissionContributions`).
    func contributions(from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [EmissionContribution] {
        try store.emissionContributions(series: emitting, from: from, to: to, every: every, factors: factors, now: now)
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

    /// What one alert rule sees in one window (see `Store.alertObservation`).
    func observe(_ rule: AlertRule, window: Range<EpochMillis>) throws(KlasterError) -> AlertObservation {
        try store.alertObservation(for: rule, window: window, factors: factors, now: now, series: emitting)
    }
}
