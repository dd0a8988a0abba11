extension AlertRule.Aggregate {
    /// This aggregate of one (merged) bucket row; `nil` when it has none
    /// (no readings, or `delta` of a gauge).
    public func value(of row: BucketRow) -> Double? {
        switch self {
        case .mean: row.mean
        case .min: row.count > 0 ? row.min : nil
        case .max: row.count > 0 ? row.max : nil
        case .sum: row.count > 0 ? row.sum : nil
        case .count: Double(row.count)
        case .last: row.count > 0 ? row.last : nil
        case .delta: row.delta
        }
    }
}

extension AlertRule {
    /// A series rule's observation of one window.
    ///
    /// Each matching series' rows inside the window are merged into one and
    /// aggregated with `agg`; the rule's value is the worst series (highest
    /// when high is bad, lowest otherwise), so one hot stack of several alerts.
    /// - Parameters:
    ///   - rows: Bucket rows of the series the glob matched (any width dividing `every`).
    ///   - window: The evaluated window; rows outside it are ignored.
    /// - Returns: The observation; `value == nil` when no series had data.
    public func observe(rows: [(SeriesInfo, BucketRow)], window: Range<EpochMillis>) -> AlertObservation {
        var merged: [String: BucketRow] = [:]
        for (info, row) in rows where window.contains(row.start) {
            if var m = merged[info.key] { m.merge(row); merged[info.key] = m } else { merged[info.key] = row }
        }
        var best: (key: String, value: Double)?
        var newest: EpochMillis?
        for (key, row) in merged.sorted(by: { $0.key < $1.key }) {
            if row.count > 0 { newest = Swift.max(newest ?? .min, row.lastTs) }
            guard let v = agg.value(of: row) else { continue }
            if let b = best, highIsBad ? v <= b.value : v >= b.value { continue }
            best = (key, v)
        }
        return AlertObservation(value: best?.value, subject: best?.key, newestTs: newest)
    }

    /// An emissions-group rule's observation: kg CO2e of the group in the window
    /// (`agg` does not apply; the group's emissions are a total).
    /// - Parameters:
    ///   - contributions: Emission contributions covering the window.
    ///   - window: The evaluated window.
    public func observe(contributions: [EmissionContribution], window: Range<EpochMillis>) -> AlertObservation {
        guard let group else { return .missing }
        var total: Double?
        var newest: EpochMillis?
        for c in contributions where window.contains(c.start) && EmissionGrouping.matches(group, c) {
            total = (total ?? 0) + c.co2eKg
            newest = Swift.max(newest ?? .min, c.start)
        }
        return AlertObservation(value: total, subject: group, newestTs: nil)
    }
}
