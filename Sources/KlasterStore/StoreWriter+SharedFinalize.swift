import KlasterCore

/// What one shared finalising step did.
public struct SharedFinalizeResult: Sendable, Equatable {
    /// Final bucket rows written (every width).
    public var buckets: Int
    /// Series whose frontier moved.
    public var frontiers: Int
    /// The newest reading of every series that still has open readings
    /// after the step, as merged from all ingesters (the caller's idleness memory).
    public var newest: [SeriesID: EpochMillis]
}

/// Shared mode's finaliser (README "Scaling out"): several ingesters store raw
/// readings only (``WriterRole/sharedIngest``); one at a time, between its
/// commits, one of them runs this step in one write transaction. It is the
/// sole writer's finalising aggregator replayed over the merged raw readings:
/// exactly what a restarted daemon does (``StoreReader/ingestRestoreState()``
/// and ``Aggregator/restore(series:frontiers:open:)``), so the counter deltas
/// are taken over consecutive readings whichever process received them, with
/// the same code. Any process may die at any moment: the step either
/// committed or did not happen.
extension StoreWriter {
    /// Finalises, from the merged raw readings, every bucket whose end is
    /// `allowedLateness` behind its series' newest reading, and all open
    /// buckets of the series `idle` names; writes those buckets (merge upsert
    /// into every width), the new frontiers and the open-window bound.
    ///
    /// Lateness stays exact across the step: each shared ingest transaction
    /// holds the shared finalise lock and flags a reading late against the
    /// frontier it sees, and this step holds the lock exclusively from before
    /// its snapshot to after its new frontiers commit, so every reading is
    /// either in the replay or judged against the new frontier.
    /// - Parameters:
    ///   - widths: `buckets.widths` (each a multiple of the finest).
    ///   - allowedLateness: `buckets.allowed_lateness`, ms.
    ///   - now: Wall clock, ms.
    ///   - idle: Given every open series' newest merged reading, the series
    ///     to finalise whole (the idle rule; the raw rows carry no receive time).
    /// - Returns: `nil` when another process holds the step's lock (nothing done).
    /// - Complexity: One scan of the open window's raw readings (a lateness'
    ///   worth per series).
    public func finalizeShared(widths: [BucketWidth], allowedLateness: Int64, now: EpochMillis,
                               idle: ([SeriesID: EpochMillis]) -> [SeriesID]) throws(KlasterError) -> SharedFinalizeResult? {
        guard try lockForSharedFinalize() else { return nil }
        let (series, frontiers, open) = try ingestRestoreState()
        var newest: [SeriesID: EpochMillis] = [:]
        for r in open { newest[r.series] = Swift.max(newest[r.series] ?? r.ts, r.ts) }
        let aggregator = Aggregator(widths: widths, allowedLateness: allowedLateness, quantities: quantities, finalizing: true)
        aggregator.setClock(now)
        aggregator.restore(series: series, frontiers: frontiers, open: open)
        let idleSeries = idle(newest)
        aggregator.finalize(series: idleSeries)
        var batch = aggregator.takeBatch(lastMessageSeq: 0)
        batch.role = .sharedFinalize
        // The sole writer counts implausible increases as it aggregates; here
        // each is counted once, when the finest bucket holding it becomes final.
        let finest = widths.min { $0.millis < $1.millis }
        batch.counters.implausible = batch.buckets.reduce(0) { $0 + ($1.width == finest ? $1.implausible : 0) }
        try apply(batch)
        for id in idleSeries { newest[id] = nil }
        for f in batch.frontiers {
            if let n = newest[f.series], n < f.finalUntil { newest[f.series] = nil }
        }
        return SharedFinalizeResult(buckets: batch.buckets.count, frontiers: batch.frontiers.count, newest: newest)
    }
}
