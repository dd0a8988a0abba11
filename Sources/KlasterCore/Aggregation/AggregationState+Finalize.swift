/// Finalising mode (``Aggregator/finalizing``): instead of handing out every
/// bucket partial with every batch, the aggregator adds each reading straight
/// into its series' open buckets of the finest width (``OpenBuckets``; no
/// per-batch partials) and hands out a bucket only once it is final — when the series' newest reading is `allowedLateness` past the
/// bucket's end, so no reading that is still in time can reach it. The
/// finest row then goes out together with its share of every coarser width
/// (each finest bucket lies inside exactly one bucket of a width it divides)
/// and the series' new ``SeriesFrontier``.
///
/// Why: a store that upserts every touched bucket of every width on every
/// commit rewrites a page per series per table per commit; with final rows
/// only, a commit appends raw readings and writes a bucket row per series
/// per closed minute. What is not final yet is recomputed from the raw
/// readings — by a reader at query time and by ``restore(series:frontiers:open:)``
/// after a restart — so an acknowledged reading is never only in memory.
///
/// Cost per batch: only the series in `due` (whose newest reading crossed
/// the next finest boundary past their frontier, checked in `add` against a
/// precomputed ts) are looked at — about one per series per finest width,
/// not one per reading.
extension AggregationState {
    /// Finalises the open buckets of every series whose newest reading has
    /// moved its frontier since the last batch.
    /// - Complexity: O(series in `due`), not O(readings).
    mutating func finalize() {
        for id in due {
            let sid = Int(id)
            guard let newest = series[sid].window.newest else { continue }
            let frontier = partials.widths[partials.finest].start(of: newest &- allowedLateness)
            if frontier > open[sid].finalUntil {
                advance(series: id, to: frontier)
            } else {
                setFinalUntil(series: sid, open[sid].finalUntil)  // re-arm `checkAt`
            }
        }
        due.removeAll(keepingCapacity: true)
    }

    /// Index in the series' open buckets of the finest bucket holding `ts`,
    /// made empty if it has none yet.
    mutating func openRow(series id: SeriesID, ts: EpochMillis, isCounter: Bool) -> Int {
        let sid = Int(id)
        let n = Int(open[sid].buckets.count)
        // Common case: the newest open bucket (no division).
        if n > 0 {
            let newestStart = open[sid].buckets[n - 1].start
            if ts >= newestStart && ts < newestStart &+ finestMillis { return n - 1 }
        }
        let width = partials.widths[partials.finest]
        let start = width.start(of: ts)
        let (i, isNew) = open[sid].buckets.index(start: start) {
            BucketRow(empty: id, width: width, start: start, isCounter: isCounter)
        }
        // A new open bucket can only lower the oldest open start.
        if isNew, openFromCache.map({ start < $0 }) ?? true { openFromCache = start }
        return i
    }

    /// Sets a series' frontier and the newest ts that moves it again.
    private mutating func setFinalUntil(series sid: Int, _ frontier: EpochMillis) {
        open[sid].finalUntil = frontier
        // frontier(newest) = start(newest − lateness) > finalUntil exactly
        // when newest ≥ start(finalUntil) + finest + lateness.
        open[sid].checkAt = frontier == .min
            ? .min
            : partials.widths[partials.finest].start(of: frontier) &+ finestMillis &+ allowedLateness
    }

    /// Finalises every open bucket of `id` that starts before `frontier`.
    mutating func advance(series id: SeriesID, to frontier: EpochMillis) {
        let sid = Int(id)
        var n = 0
        while n < open[sid].buckets.count && open[sid].buckets[n].start < frontier { n += 1 }
        setFinalUntil(series: sid, frontier)
        guard n > 0 else { return }
        let derived = partials.derivedWidths
        withUnsafeTemporaryAllocation(of: Int.self, capacity: derived.count) { lastRow in
            // Per derived width, the index in `finalRows` of this call's row of its current coarse bucket.
            lastRow.initialize(repeating: -1)
            for k in 0..<n {
                let r = open[sid].buckets[k]
                if r.count > 0, open[sid].anchor.map({ r.lastTs > $0.ts }) ?? true {
                    open[sid].anchor = SeriesFrontier.Anchor(ts: r.lastTs, value: r.last)
                }
                finalRows.append(r)
                for (d, w) in derived.enumerated() {
                    var up = r
                    up.width = partials.widths[w]
                    up.start = up.width.start(of: r.start)
                    let j = lastRow[d]
                    if j >= 0 && finalRows[j].start == up.start {
                        finalRows[j].merge(up)
                    } else {
                        lastRow[d] = finalRows.count
                        finalRows.append(up)
                    }
                }
            }
        }
        open[sid].buckets.dropFirst(n)
        // Removing buckets can only raise the oldest open start: the cache stays
        // a safe lower bound until the next `openFrom` recomputes it.
        openFromStale = true
        frontiers.append(SeriesFrontier(series: id, finalUntil: frontier, anchor: open[sid].anchor))
    }

    /// Finalises every open bucket of the series that received nothing for
    /// `idleAfter` milliseconds of the caller's clock: a meter that stopped
    /// must not keep a window open (and its raw readings in every open-window
    /// computation) for ever. Its frontier moves past its newest reading, so a
    /// reading that still arrives for those buckets is late.
    mutating func finalizeIdle(idleAfter: Int64) {
        for sid in open.indices where !open[sid].buckets.isEmpty && open[sid].lastSeen < clock &- idleAfter {
            finalizeAll(series: SeriesID(sid))
        }
    }

    /// Finalises every open bucket of `id`: its frontier moves past its
    /// newest reading (the idle rule, for one series).
    mutating func finalizeAll(series id: SeriesID) {
        let sid = Int(id)
        guard sid < open.count, !open[sid].buckets.isEmpty, let newest = series[sid].window.newest else { return }
        let finest = partials.widths[partials.finest]
        advance(series: id, to: finest.start(of: newest) + finest.millis)
    }

    /// The oldest start of any open bucket (`nil` when none is open): raw
    /// readings before it are all covered by final buckets.
    /// - Complexity: O(1) unless buckets were finalised since the last call
    ///   (then O(series), about once a minute on a live fleet).
    mutating func openFrom() -> EpochMillis? {
        if openFromStale {
            var lo: EpochMillis?
            for s in open where !s.buckets.isEmpty {
                if lo.map({ s.buckets[0].start < $0 }) ?? true { lo = s.buckets[0].start }
            }
            openFromCache = lo
            openFromStale = false
        }
        return openFromCache
    }

    /// After a restart: the stored frontiers, then the raw readings from each
    /// frontier on (not late, in ts order per series) replayed as if they
    /// arrived now, which rebuilds the open buckets and the windows exactly.
    /// Nothing of the replay is handed out again except buckets that it
    /// finalises (none, unless the configured lateness shrank).
    mutating func restore(series infos: [SeriesInfo], frontiers stored: [SeriesFrontier], open replay: [Reading]) {
        precondition(finalizing, "restore(series:frontiers:open:) is for finalising aggregators")
        for info in infos { register(info, announce: false) }
        for f in stored {
            ensureSeries(f.series)
            let sid = Int(f.series)
            setFinalUntil(series: sid, f.finalUntil)
            open[sid].anchor = f.anchor
            series[sid].window.reset(entries: [], anchor: f.anchor.map { WindowEntry(ts: $0.ts, value: $0.value, aggregated: true) })
            series[sid].nextPrune = .min
        }
        for r in replay { _ = add(r) }
        finalize()
        readings = []
        lateReadings = []
        counters = IngestCounters()
        newSeries = []
    }
}
