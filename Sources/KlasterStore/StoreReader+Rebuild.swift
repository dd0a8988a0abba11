import KlasterCore

/// What `klaster db rebuild` recomputes, and the replay itself: the same for
/// every backend (each brings its own deletes, seed query and updates).
struct RebuildPlan {
    let widths: [BucketWidth]
    /// The range, widened to whole buckets of the largest stored width.
    let lo: EpochMillis
    let hi: EpochMillis
    /// Per series with final buckets in the range: where its part ends (its
    /// frontier, or `hi`). After the frontier is the open window, computed
    /// from raw readings anyway.
    let until: [SeriesID: EpochMillis]
    let series: [SeriesInfo]
}

extension StoreReader {
    /// - Returns: `nil` when nothing in the range is final.
    /// - Throws: `.usage` for `from >= to`.
    func rebuildPlan(from: EpochMillis, to: EpochMillis) throws(KlasterError) -> RebuildPlan? {
        guard from < to else {
            throw KlasterError(.usage, "--from \(RFC3339.format(from)) is not before --to \(RFC3339.format(to))", hint: "swap them")
        }
        let widths = try storedWidths()
        guard let largest = widths.last else { return nil }
        let lo = largest.start(of: from)
        let hi = largest.start(of: to - 1) + largest.millis
        var until: [SeriesID: EpochMillis] = [:]
        for (id, f) in try frontiers() where f.finalUntil > lo { until[id] = Swift.min(hi, f.finalUntil) }
        let series = try loadSeries().filter { until[$0.id] != nil }
        guard !series.isEmpty else { return nil }
        return RebuildPlan(widths: widths, lo: lo, hi: hi, until: until, series: series)
    }

    /// Replays the plan's raw readings (late ones too) in ts order through a
    /// fresh `Aggregator` (in order, so none is late), seeded with each
    /// series' last good reading before the range so the first counter delta
    /// is right, and hands the bucket partials to `upsert` in bounded chunks
    /// (a year of a fleet never sits in memory).
    /// - Returns: How many raw readings were replayed.
    func replay(_ plan: RebuildPlan, seeds: [Reading],
                upsert: ([BucketRow]) throws(KlasterError) -> Void) throws(KlasterError) -> Int {
        let aggregator = Aggregator(widths: plan.widths, allowedLateness: 0, quantities: quantities)
        aggregator.restore(series: plan.series, recent: seeds)
        var replayed = 0
        var sinceTake = 0
        try forEachReading(from: plan.lo, to: plan.hi, includeLate: true) { (r: Reading) throws(KlasterError) in
            guard let end = plan.until[r.series], r.ts < end else { return }
            aggregator.add(r)
            replayed += 1
            sinceTake += 1
            if sinceTake >= 200_000 {
                try upsert(aggregator.takeBatch(lastMessageSeq: 0).buckets)
                sinceTake = 0
            }
        }
        try upsert(aggregator.takeBatch(lastMessageSeq: 0).buckets)
        return replayed
    }
}
