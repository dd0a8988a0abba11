import KlasterCore
import KlasterStore

/// Gathers the report model from the store.
enum ReportBuilder {
    static let day: Int64 = 86_400_000
    static let hour: Int64 = 3_600_000

    /// - Parameters:
    ///   - data: Store access with the factors applied.
    ///   - year: The year of the target panels and totals.
    ///   - days: How many days the energy and gas charts cover (ending today).
    static func build(_ data: EmissionsData, year: Int, days: Int = 14) throws(KlasterError) -> ReportModel {
        let now = data.now
        let (progress, daily) = try data.targetProgress(year: year)

        var totals: [Scope: Double] = [:]
        var perSeries: [String: (Scope, Double, String)] = [:]
        for c in daily {
            totals[c.scope, default: 0] += c.co2eKg / 1000
            let prev = perSeries[c.series.key] ?? (c.scope, 0, c.factor.source)
            perSeries[c.series.key] = (c.scope, prev.1 + c.co2eKg / 1000, c.factor.source)
        }
        let top = perSeries.map { ReportModel.TopSeries(key: $0.key, scope: $0.value.0, co2eT: $0.value.1, factorSource: $0.value.2) }
            .filter { $0.co2eT > 0 }
            .sorted { ($0.co2eT, $1.key) > ($1.co2eT, $0.key) }
            .prefix(10)

        var panels: [ReportModel.TargetPanel] = []
        for p in progress {
            let t = p.target
            var byDay: [EpochMillis: Double] = [:]
            for c in daily where EmissionsData.covers(t, c) { byDay[c.start, default: 0] += c.co2eKg / 1000 }
            var running = 0.0
            var points: [(x: EpochMillis, y: Double)] = []
            for d in byDay.keys.sorted() {
                running += byDay[d] ?? 0
                points.append((Swift.min(d + day, now), running))
            }
            panels.append(.init(progress: p, coverage: t.scope == .cluster ? "cluster" : (t.plant ?? "plant"),
                                cumulative: .init(points: points)))
        }

        // The last `days` local days of buckets.timezone, today included.
        let today = data.calendar.start(of: now, .day)
        let localDays = data.calendar.periods(from: today - Int64(days - 1) * day - 12 * hour, to: today + 1, .day).suffix(days)
        let energy = try dailyByPlant(data, quantity: "active_energy_kwh", title: "Electricity", unit: "kWh", days: Array(localDays))
        let gas = try dailyByPlant(data, quantity: "gas_volume_nm3", title: "Natural gas", unit: "Nm³", days: Array(localDays))

        let check = try AlertCheck.evaluate(rules: data.config.alerts.filter { (try? $0.validate()) != nil }, data: data, save: false)
        let alerts = check.states.map { s in
            ReportModel.AlertLine(rule: s.rule.name, status: s.state.status,
                                  text: AlertCheck.text(rule: s.rule, state: s.state, observation: s.observation, window: s.window, now: now),
                                  since: s.state.lastWindowEnd == nil ? nil : s.state.since)
        }

        let stats = try data.store.stats()
        let gapHours = 7 * 24
        let gaps = try self.gaps(data, windowHours: gapHours)
        let quality = ReportModel.Quality(
            messages: stats.messages, readings: stats.readings, duplicates: stats.duplicates, late: stats.late,
            deadLetters: stats.deadLettersByReason.map { ($0.key, $0.value) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) },
            gaps: gaps, gapWindowHours: gapHours)

        let cbam = data.config.cbamGoods.isEmpty ? [] : try CbamReport.compute(data: data, year: year, quarter: nil)

        return ReportModel(generatedAt: now, year: year, dbPath: data.store.location,
                           yearTotals: Scope.allCases.map { ($0, totals[$0] ?? 0) },
                           targets: panels, energy: energy, gas: gas, top: Array(top), alerts: alerts, quality: quality,
                           timezone: data.calendar.identifier, scope2Method: data.factors.method.rawValue, cbam: cbam)
    }

    /// Daily counter deltas of one quantity per plant, over local days.
    static func dailyByPlant(_ data: EmissionsData, quantity: String, title: String, unit: String,
                             days: [Range<EpochMillis>]) throws(KlasterError) -> ReportModel.DailyByPlant {
        let series = data.allSeries.map(\.info).filter { $0.quantity == quantity }
        let starts = days.map(\.lowerBound)
        let dates = days.map { r -> String in
            let c = data.calendar.components(of: r.lowerBound)
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(c.year)-\(two(c.month))-\(two(c.day))"
        }
        guard let first = days.first, let last = days.last, !series.isEmpty else {
            return .init(title: title, unit: unit, days: starts, dates: dates, values: [])
        }
        var perPlant: [String: [Double]] = [:]
        let index = Dictionary(uniqueKeysWithValues: starts.enumerated().map { ($1, $0) })
        try data.store.forEachCalendarBucket(seriesGlob: series.map(\.key), from: first.lowerBound, to: last.lowerBound + 1, unit: .day,
                                             calendar: data.calendar) { (b: SeriesBucket) throws(KlasterError) in
            guard let i = index[b.row.start], let delta = b.row.delta else { return }
            let plant = b.series.plant ?? String(b.series.key.split(separator: "/").first ?? "")
            perPlant[plant, default: [Double](repeating: 0, count: starts.count)][i] += delta
        }
        return .init(title: title, unit: unit, days: starts, dates: dates,
                     values: perPlant.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// Hours without any reading in the last `windowHours` complete hours, per
    /// series, counted from the later of the window start and the series' first reading.
    static func gaps(_ data: EmissionsData, windowHours: Int) throws(KlasterError) -> [(series: String, missingHours: Int)] {
        let end = BucketWidth.hour.start(of: data.now)
        let start = end - Int64(windowHours) * hour
        var out: [(String, Int)] = []
        let live = data.allSeries.filter { ($0.firstTs ?? .max) < end }
        guard !live.isEmpty else { return [] }
        var present: [String: Int] = [:]
        for (info, row) in try data.rows(of: live.map(\.info), from: start, to: end, every: hour) where row.count > 0 {
            present[info.key, default: 0] += 1
        }
        for s in live {
            guard let firstTs = s.firstTs else { continue }
            let from = Swift.max(start, BucketWidth.hour.start(of: firstTs))
            let expected = Int((end - from) / hour)
            let missing = expected - (present[s.info.key] ?? 0)
            if missing > 0 { out.append((s.info.key, missing)) }
        }
        return out.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
    }
}
