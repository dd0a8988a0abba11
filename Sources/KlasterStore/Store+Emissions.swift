import KlasterCore
import Synchronization

/// Emission and alert queries shared by the CLI (`emissions`, `targets`,
/// `check`, `report`) and the ingest daemon's alert hook; each runs inside
/// the caller's read transaction, on series looked up by id.
extension StoreReader {
    /// CO2e contributions in `every`-wide output buckets over `[from, to)`.
    ///
    /// Counters are read at `every`. Rate gauges are integrated hour by hour
    /// (at `every` when that is shorter than an hour or no hour divides it):
    /// each hour's mean × 1 h, so an hourly CEMS reading is not diluted over a
    /// day it only partly covers, and an hour without a reading is a gap that
    /// contributes nothing. Contributions are then re-bucketed to `every`.
    /// - Parameters:
    ///   - series: The series to consider (those without a factor are skipped).
    ///   - factors: Factor selection.
    ///   - now: Current time (limits the open gauge bucket).
    /// - Throws: `KlasterError(.usage)` when no stored width divides `every`.
    public func emissionContributions(series: [SeriesInfo], from: EpochMillis, to: EpochMillis, every: Int64,
                                      factors: FactorTable, now: EpochMillis) throws(KlasterError) -> [EmissionContribution] {
        let emitting = series.filter { factors.covers(quantity: $0.quantity) }
        let hour: Int64 = 3_600_000
        let gaugeEvery = every > hour && every % hour == 0 ? hour : every
        func rows(_ s: [SeriesInfo], _ width: Int64) throws(KlasterError) -> [(SeriesInfo, BucketRow)] {
            guard !s.isEmpty, from < to else { return [] }
            return try buckets(series: s, from: from, to: to, every: width).map { ($0.series, $0.row) }
        }
        var out = EmissionCalculator.contributions(try rows(emitting.filter { $0.kind == .counter }, every), factors: factors, now: now)
        let fine = EmissionCalculator.contributions(try rows(emitting.filter { $0.kind == .gauge }, gaugeEvery), factors: factors, now: now,
                                                    within: from..<to)
        let width = BucketWidth(millis: every)
        for var c in fine {
            c.start = width.start(of: c.start)
            c.width = width
            out.append(c)
        }
        return out
    }

    /// CO2e over `[from, to)` as one bucket per series (start `from`, width `to − from`),
    /// for ranges that need not align to any stored width (`--to now`).
    ///
    /// Counters: the part of the range aligned to the widest stored width is read
    /// at that width, the ragged ends at the finest (an increase belongs to the
    /// bucket of its later reading, so the ends are exact to the finest width).
    /// Rate gauges: hour by hour, the hours that the range cuts counted pro rata.
    public func emissionTotals(series: [SeriesInfo], from: EpochMillis, to: EpochMillis, widths: [BucketWidth],
                               factors: FactorTable, now: EpochMillis) throws(KlasterError) -> [EmissionContribution] {
        guard from < to else { return [] }
        let stored = try storedWidths().filter { widths.isEmpty || widths.contains($0) }
        guard let fine = stored.first, let coarse = stored.last else { return [] }
        let emitting = series.filter { factors.covers(quantity: $0.quantity) }
        let counters = emitting.filter { $0.kind == .counter }
        let gauges = emitting.filter { $0.kind == .gauge }
        let ceilFrom = coarse.start(of: from) == from ? from : coarse.start(of: from) + coarse.millis
        let floorTo = coarse.start(of: to)
        var segments: [(Range<EpochMillis>, BucketWidth)] = []
        if ceilFrom < floorTo {
            if from < ceilFrom { segments.append((from..<ceilFrom, fine)) }
            segments.append((ceilFrom..<floorTo, coarse))
            if floorTo < to { segments.append((floorTo..<to, fine)) }
        } else {
            segments.append((from..<to, fine))
        }
        var out: [EmissionContribution] = []
        for (range, width) in segments where !counters.isEmpty {
            let rows = try buckets(series: counters, from: range.lowerBound, to: range.upperBound, every: width.millis)
            out += EmissionCalculator.contributions(rows.map { ($0.series, $0.row) }, factors: factors, now: now)
        }
        if !gauges.isEmpty {
            let hour: Int64 = 3_600_000
            let gaugeWidth = stored.contains(where: { $0.millis == hour }) ? hour : fine.millis
            let rows = try buckets(series: gauges, from: from, to: to, every: gaugeWidth)
            out += EmissionCalculator.contributions(rows.map { ($0.series, $0.row) }, factors: factors, now: now, within: from..<to)
        }
        let span = BucketWidth(millis: to - from)
        for i in out.indices {
            out[i].start = from
            out[i].width = span
        }
        return out
    }

    /// What one alert rule sees in one window — the `fetch` of `AlertEngine.evaluate`:
    /// a series rule merges its glob's buckets in the window and aggregates
    /// them (worst series wins); a group rule sums the group's kg CO2e.
    /// - Parameters:
    ///   - factors: Factor selection (group rules only).
    ///   - series: Known series (group rules only; `nil` = load them).
    public func alertObservation(for rule: AlertRule, window: Range<EpochMillis>, factors: FactorTable, now: EpochMillis,
                                 series: [SeriesInfo]? = nil) throws(KlasterError) -> AlertObservation {
        if let glob = rule.series {
            let rows = try buckets(seriesGlob: [glob], from: window.lowerBound, to: window.upperBound, every: rule.every)
            let stale = try staleSeries()
            guard !stale.isEmpty else { return rule.observe(rows: rows.map { ($0.series, $0.row) }, window: window) }
            // Stale series (dead Sparkplug nodes/devices) do not count; when every
            // matching series is stale the rule has no live data: UNKNOWN.
            let live = rows.filter { stale[$0.series.id] == nil }
            let matching = try matchingSeries([glob])
            let staleMatching = matching.compactMap { s in stale[s.id].map { (s.key, $0) } }
            if !staleMatching.isEmpty && staleMatching.count == matching.count {
                let newest = staleMatching.max { $0.1 < $1.1 }!
                return AlertObservation(value: nil, subject: newest.0, staleSince: newest.1)
            }
            return rule.observe(rows: live.map { ($0.series, $0.row) }, window: window)
        }
        let known: [SeriesInfo]
        if let series { known = series } else { known = try loadSeries() }
        let c = try emissionContributions(series: known, from: window.lowerBound, to: window.upperBound, every: rule.every,
                                          factors: factors, now: now)
        return rule.observe(contributions: c, window: window)
    }
}

/// The ingest daemon's alert hook: the same rules and state machine as
/// `klaster check`, sharing its `alert_state` table, so the daemon and a cron
/// check agree and a restart keeps `for` and hysteresis.
///
/// Call `evaluate(now:)` after each commit (or on a timer); it only reads the
/// store when a rule's window has closed since its last evaluation, so calling
/// it often is cheap. Publish what it returns:
/// ```swift
/// for t in try monitor.evaluate(now: wallClockMillis) {
///     try publisher.publish(topic: t.topic, payload: t.jsonPayload, qos: 1, retain: true)
/// }
/// ```
/// Not `Sendable`: use it from one thread (the aggregator's, after `commit`).
public final class AlertMonitor {
    private let store: any Store
    private let factors: FactorTable
    private var engine: AlertEngine

    /// - Parameters:
    ///   - rules: `config.alerts` (validated here).
    ///   - factors: `[[factors]]` of the config (defaults when empty), for group rules.
    /// - Throws: `.usage` for a rule with inconsistent thresholds; store errors.
    public init(store: any Store, rules: [AlertRule], factors: [EmissionFactor]) throws(KlasterError) {
        for r in rules { try r.validate() }
        self.store = store
        self.factors = FactorTable(EmissionFactor.effective(configured: factors))
        self.engine = AlertEngine(rules: rules, states: rules.isEmpty ? [:] : try store.loadAlertStates())
    }

    /// Evaluates every rule whose window closed, saves changed states.
    /// - Returns: The state changes to publish on `klaster/alerts/<rule>` (retained).
    public func evaluate(now: EpochMillis) throws(KlasterError) -> [AlertTransition] {
        guard !engine.rules.isEmpty else { return [] }
        let before = engine.states
        let store = self.store, factors = self.factors
        var series: [SeriesInfo]?
        let transitions = try engine.evaluate(now: now) { (rule, window) throws(KlasterError) -> AlertObservation? in
            if rule.group != nil, series == nil { series = try store.loadSeries() }
            let known = series
            return try store.read { (db: any StoreReader) throws(KlasterError) -> AlertObservation in
                try db.alertObservation(for: rule, window: window, factors: factors, now: now, series: known)
            }
        }
        let changed = engine.states.filter { before[$0.key] != $0.value }
        if !changed.isEmpty { try store.saveAlertStates(changed) }
        return transitions
    }

    /// Current state of a rule.
    public func state(of rule: String) -> AlertState { engine.state(of: rule) }
}
