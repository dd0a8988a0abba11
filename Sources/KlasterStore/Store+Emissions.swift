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

    /// What one alert rule sees in each of a run of windows — the input of
    /// `AlertEngine.judge`, read in one pass over the windows' span: a series
    /// rule merges its glob's buckets per window and aggregates them (worst
    /// series wins); a group rule sums the group's kg CO2e.
    /// - Parameters:
    ///   - windows: Contiguous, ascending, each `rule.every` wide.
    ///   - factors: Factor selection (group rules only).
    ///   - series: Known series (group rules only; `nil` = load them).
    /// - Returns: One observation per window.
    public func alertObservations(for rule: AlertRule, windows: [Range<EpochMillis>], factors: FactorTable, now: EpochMillis,
                                  series: [SeriesInfo]? = nil) throws(KlasterError) -> [AlertObservation] {
        guard let first = windows.first, let last = windows.last else { return [] }
        func index(_ start: EpochMillis) -> Int? {
            let i = Int((start - first.lowerBound) / rule.every)
            return start >= first.lowerBound && i < windows.count ? i : nil
        }
        if let glob = rule.series {
            let stale = try staleSeries()
            var perWindow = [[(SeriesInfo, BucketRow)]](repeating: [], count: windows.count)
            // Stale series (dead Sparkplug nodes/devices) do not count.
            for b in try buckets(seriesGlob: [glob], from: first.lowerBound, to: last.upperBound, every: rule.every)
            where stale[b.series.id] == nil {
                if let i = index(b.row.start) { perWindow[i].append((b.series, b.row)) }
            }
            var out = windows.indices.map { rule.observe(rows: perWindow[$0], window: windows[$0]) }
            // When every matching series is stale the rule has no live data: UNKNOWN now.
            if !stale.isEmpty {
                let matching = try matchingSeries([glob])
                let staleMatching = matching.compactMap { s in stale[s.id].map { (s.key, $0) } }
                if !staleMatching.isEmpty && staleMatching.count == matching.count, let newest = staleMatching.max(by: { $0.1 < $1.1 }) {
                    out[out.count - 1] = AlertObservation(value: nil, subject: newest.0, staleSince: newest.1)
                }
            }
            return out
        }
        let known: [SeriesInfo]
        if let series { known = series } else { known = try loadSeries() }
        let c = try emissionContributions(series: known, from: first.lowerBound, to: last.upperBound, every: rule.every,
                                          factors: factors, now: now)
        var perWindow = [[EmissionContribution]](repeating: [], count: windows.count)
        for x in c { if let i = index(x.start) { perWindow[i].append(x) } }
        return windows.indices.map { rule.observe(contributions: perWindow[$0], window: windows[$0]) }
    }

    /// Judges one rule at `now` from the stored windows (`AlertEngine`).
    public func judgeAlert(_ rule: AlertRule, factors: FactorTable, now: EpochMillis, series: [SeriesInfo]? = nil) throws(KlasterError) -> AlertJudgement {
        let windows = AlertEngine.windows(for: rule, at: now)
        let obs = try alertObservations(for: rule, windows: windows, factors: factors, now: now, series: series)
        return AlertEngine.judge(rule: rule, windows: windows, observations: obs, now: now)
    }
}

/// The ingest daemon's alert hook: the same rules and judgement as `klaster
/// check` (from the stored windows, so the daemon, a restarted daemon and a
/// cron check agree for the same data); it remembers what it published
/// (`publishedKey`), so only changes go out, also across restarts.
///
/// Call `evaluate(now:)` after commits; it re-judges the rules when a rule's
/// window has closed since the last judgement, and otherwise at most every
/// `rejudgeInterval` (5 s), so data that arrived late for a window (a
/// backfill) changes the answer within seconds. Publish what it returns:
/// ```swift
/// for t in try monitor.evaluate(now: wallClockMillis) {
///     try publisher.publish(topic: t.topic, payload: t.jsonPayload, qos: 1, retain: true)
/// }
/// ```
/// Not `Sendable`: use it from one thread (the aggregator's, after `commit`).
public final class AlertMonitor {
    private let store: any Store
    private let factors: FactorTable
    private let rules: [AlertRule]
    private var published: [String: AlertState]
    private var lastJudged: (at: EpochMillis, windowEnds: [EpochMillis])?
    /// Shortest time between two judgements of the same windows, ms.
    public static let rejudgeInterval: Int64 = 5_000

    /// - Parameters:
    ///   - rules: `config.alerts` (validated here).
    ///   - factors: `[[factors]]` of the config (defaults when empty), for group rules.
    ///   - method: The scope-2 method of group rules (`emissions.scope2_method`).
    /// - Throws: `.usage` for a rule with inconsistent thresholds; store errors.
    public init(store: any Store, rules: [AlertRule], factors: [EmissionFactor], method: EmissionFactor.Method = .location) throws(KlasterError) {
        for r in rules { try r.validate() }
        self.store = store
        self.rules = rules
        self.factors = FactorTable(EmissionFactor.effective(configured: factors), method: method)
        self.published = rules.isEmpty ? [:] : Self.published(in: try store.loadAlertStates())
    }

    /// Judges every rule; saves and returns what changed since the last publication.
    /// - Returns: The state changes to publish on `klaster/alerts/<rule>` (retained).
    public func evaluate(now: EpochMillis) throws(KlasterError) -> [AlertTransition] {
        guard !rules.isEmpty else { return [] }
        let ends = rules.map { $0.window(at: now).upperBound }
        if let last = lastJudged, last.windowEnds == ends, now - last.at < Self.rejudgeInterval { return [] }
        lastJudged = (now, ends)
        var series: [SeriesInfo]?
        var changed: [String: AlertState] = [:]
        var out: [AlertTransition] = []
        for rule in rules {
            if rule.group != nil, series == nil { series = try store.loadSeries() }
            let known = series
            let judged = try store.read { (db: any StoreReader) throws(KlasterError) -> AlertJudgement in
                try db.judgeAlert(rule, factors: factors, now: now, series: known)
            }
            let (next, transition) = AlertEngine.report(rule: rule, judged: judged, reported: published[rule.name])
            if let transition {
                out.append(transition)
                changed[Self.publishedKey + rule.name] = next
                published[rule.name] = next
            }
        }
        if !changed.isEmpty { try store.saveAlertStates(changed) }
        return out
    }

    /// What the daemon published is kept in the `alert_state` table beside
    /// `klaster check`'s reports, under the rule name with this prefix, so
    /// that a cron check's report never hides a change the daemon has not
    /// published yet.
    public static let publishedKey = "published:"

    /// The daemon's published states among all saved ones, by rule name.
    public static func published(in saved: [String: AlertState]) -> [String: AlertState] {
        var out: [String: AlertState] = [:]
        for (key, state) in saved where key.hasPrefix(publishedKey) { out[String(key.dropFirst(publishedKey.count))] = state }
        return out
    }

    /// The state last published for a rule.
    public func state(of rule: String) -> AlertState { published[rule] ?? .initial }
}
