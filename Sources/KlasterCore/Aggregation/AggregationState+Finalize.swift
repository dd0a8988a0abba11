/// Finalising mode (``Aggregator/finalizing``): instead of handing out every
/// bucket partial with every batch, the aggregator keeps the finest width's
/// partials of each series' open buckets and hands out a bucket only once it
/// is final — when the series' newest reading is `allowedLateness` past the
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
extension AggregationState {
    /// Moves this batch's partials into the open buckets and finalises the
    /// buckets of every series the batch touched whose frontier moved.
    mutating func finalize() {
        let rows = partials.take(deriving: false)
        for r in rows { absorb(r) }
        checkEpoch = checkEpoch == .max ? 1 : checkEpoch + 1
        if checkEpoch == 1 { for i in series.indices { series[i].checkedEpoch = 0 } }
        let finest = partials.widths[partials.finest]
        for r in readings {
            let sid = Int(r.series)
            guard series[sid].checkedEpoch != checkEpoch else { continue }
            series[sid].checkedEpoch = checkEpoch
            guard let newest = series[sid].window.newest else { continue }
            let frontier = finest.start(of: newest &- allowedLateness)
            if frontier > series[sid].finalUntil { advance(series: r.series, to: frontier) }
        }
    }

    /// Merges one finest-width partial into its series' open buckets.
    private mutating func absorb(_ r: BucketRow) {
        let sid = Int(r.series)
        // Usually the newest open bucket or one just before it: search from the end.
        var i = series[sid].pending.count
        while i > 0 && series[sid].pending[i - 1].start > r.start { i -= 1 }
        if i > 0 && series[sid].pending[i - 1].start == r.start {
            series[sid].pending[i - 1].merge(r)
        } else {
            series[sid].pending.insert(r, at: i)
            // A new open bucket can only lower the oldest open start.
            if openFromCache.map({ r.start < $0 }) ?? true { openFromCache = r.start }
        }
    }

    /// Finalises every open bucket of `id` that starts before `frontier`.
    mutating func advance(series id: SeriesID, to frontier: EpochMillis) {
        let sid = Int(id)
        var n = 0
        while n < series[sid].pending.count && series[sid].pending[n].start < frontier { n += 1 }
        series[sid].finalUntil = frontier
        guard n > 0 else { return }
        let derived = partials.derivedWidths
        withUnsafeTemporaryAllocation(of: Int.self, capacity: derived.count) { lastRow in
            // Per derived width, the index in `finalRows` of this call's row of its current coarse bucket.
            lastRow.initialize(repeating: -1)
            for k in 0..<n {
                let r = series[sid].pending[k]
                if r.count > 0, series[sid].anchor.map({ r.lastTs > $0.ts }) ?? true {
                    series[sid].anchor = SeriesFrontier.Anchor(ts: r.lastTs, value: r.last)
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
        series[sid].pending.removeFirst(n)
        // Removing buckets can only raise the oldest open start: the cache stays
        // a safe lower bound until the next `openFrom` recomputes it.
        openFromStale = true
        frontiers.append(SeriesFrontier(series: id, finalUntil: frontier, anchor: series[sid].anchor))
    }

    /// Finalises every open bucket of the series that received nothing for
    /// `idleAfter` milliseconds of the caller's clock: a meter that stopped
    /// must not keep a window open (and its raw readings in every open-window
    /// computation) for ever. Its frontier moves past its newest reading, so a
    /// reading that still arrives for those buckets is late.
    mutating func finalizeIdle(idleAfter: Int64) {
        for sid in series.indices where !series[sid].pending.isEmpty && series[sid].lastSeen < clock &- idleAfter {
            finalizeAll(series: SeriesID(sid))
        }
    }

    /// Finalises every open bucket of `id`: its frontier moves past its
    /// newest reading (the idle rule, for one series).
    mutating func finalizeAll(series id: SeriesID) {
        let sid = Int(id)
        guard sid < series.count, !series[sid].pending.isEmpty, let newest = series[sid].window.newest else { return }
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
            for s in series where !s.pending.isEmpty {
                if lo.map({ s.pending[0].start < $0 }) ?? true { lo = s.pending[0].start }
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
    mutating func restore(series infos: [SeriesInfo], frontiers stored: [SeriesFrontier], open: [Reading]) {
        precondition(finalizing, "restore(series:frontiers:open:) is for finalising aggregators")
        for info in infos { register(info, announce: false) }
        for f in stored {
            ensureSeries(f.series)
            let sid = Int(f.series)
            series[sid].finalUntil = f.finalUntil
            series[sid].anchor = f.anchor
            series[sid].window.reset(entries: [], anchor: f.anchor.map { WindowEntry(ts: $0.ts, value: $0.value, aggregated: true) })
            series[sid].nextPrune = .min
        }
        for r in open { _ = add(r) }
        finalize()
        readings = []
        lateReadings = []
        counters = IngestCounters()
        newSeries = []
    }
}
