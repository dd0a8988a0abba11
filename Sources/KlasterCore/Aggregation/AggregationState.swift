/// What the aggregator knows about one series.
/// In the order a new newest reading touches them: window, kind, prune
/// boundary, then the counter rule (112 bytes; 80 for a gauge's reading).
struct SeriesState {
    var window = SeriesWindow()
    var isCounter = false
    var registered = false
    /// Pruning is lazy: the window is pruned once the lateness boundary
    /// reaches this ts, so most readings never touch the window's old end.
    var nextPrune: EpochMillis = .min
    var rule = CounterRule()
}

/// The aggregation engine behind `Aggregator`: a value type, so that the hot
/// path runs on one exclusive access (the class wrapper would otherwise check
/// exclusivity on each of its stored properties).
struct AggregationState {
    let widths: [BucketWidth]
    let allowedLateness: Int64
    let quantities: QuantityTable

    /// Whether batches carry only final buckets (see ``Aggregator/finalizing``).
    let finalizing: Bool
    /// Whether only raw readings are collected (see ``Aggregator/rawOnly``).
    let rawOnly: Bool

    var series: ContiguousArray<SeriesState> = []
    /// Finalising mode: each series' open buckets and frontier, beside
    /// `series` (struct of arrays) so that the partials mode does not carry
    /// them through its cache lines; empty in partials mode.
    var open: ContiguousArray<OpenSeries> = []
    /// Partials mode: this batch's bucket partials. Finalising mode adds to
    /// `open` instead and uses only its width indices.
    var partials: PartialBuckets

    var newSeries: [SeriesInfo] = []
    var readings: [Reading] = []
    var lateReadings: [Reading] = []
    var deadLetters: [DeadLetter] = []
    var counters = IngestCounters()
    /// Finalising mode: final rows and frontiers not yet handed out.
    var finalRows: [BucketRow] = []
    var frontiers: [SeriesFrontier] = []
    /// Finalising mode: the caller's clock (receive time), for idleness.
    var clock: EpochMillis = 0
    /// Finalising mode: the series whose newest reading passed their
    /// `OpenSeries.checkAt` since the last batch — the only ones whose
    /// frontier can have moved.
    var due: [SeriesID] = []
    /// Finalising mode: the finest width, in milliseconds.
    let finestMillis: Int64
    /// Finalising mode: a lower bound of the oldest open bucket's start, exact
    /// unless `openFromStale` (see `openFrom()`).
    var openFromCache: EpochMillis?
    var openFromStale = false

    init(widths: [BucketWidth], allowedLateness: Int64, quantities: QuantityTable, finalizing: Bool, rawOnly: Bool) {
        precondition(!(finalizing && rawOnly), "a raw-only aggregator finalises nothing")
        precondition(!widths.isEmpty, "at least one bucket width")
        precondition(allowedLateness >= 0, "allowed lateness must not be negative")
        self.widths = widths
        self.allowedLateness = allowedLateness
        self.quantities = quantities
        self.finalizing = finalizing
        self.rawOnly = rawOnly
        self.partials = PartialBuckets(widths: widths)
        finestMillis = widths[partials.finest].millis
        precondition(!finalizing || !partials.hasOtherDirectWidths,
                     "finalising needs every width to be a multiple of the finest (validated with the config)")
    }

    // MARK: Series

    mutating func ensureSeries(_ id: SeriesID) {
        let i = Int(id)
        if series.count <= i {
            if finalizing {
                open.append(contentsOf: repeatElement(OpenSeries(), count: i + 1 - series.count))
            } else {
                partials.ensureSeries(id)
            }
            series.append(contentsOf: repeatElement(SeriesState(), count: i + 1 - series.count))
        }
    }

    mutating func register(_ info: SeriesInfo, announce: Bool) {
        ensureSeries(info.id)
        let i = Int(info.id)
        let isNew = !series[i].registered
        series[i].registered = true
        series[i].isCounter = info.kind == .counter
        series[i].rule = CounterRule(quantities.spec(for: info.quantity))
        if isNew && announce { newSeries.append(info) }
    }

    // MARK: Readings

    mutating func add(_ r: Reading) -> AddOutcome {
        let sid = Int(r.series)
        if sid >= series.count { ensureSeries(r.series) }
        if rawOnly { return collect(r) }
        let aggregated = r.quality != .bad
        if finalizing {
            open[sid].lastSeen = clock
            if r.ts < open[sid].finalUntil { return late(r) }
        }

        // Common case: a new newest reading of its series.
        guard let newest = series[sid].window.newest, r.ts <= newest else {
            counters.readings += 1
            readings.append(r)
            let entry = WindowEntry(ts: r.ts, value: r.value, aggregated: aggregated)
            if aggregated {
                addValue(series: r.series, ts: r.ts, value: r.value)
                if series[sid].isCounter, let p = series[sid].window.predecessor(before: series[sid].window.count) {
                    addDelta(series: r.series, at: r.ts, series[sid].rule.delta(prev: p.value, prevTs: p.ts, cur: r.value, curTs: r.ts), sign: 1)
                }
            }
            series[sid].window.append(entry)
            prune(series: r.series, boundary: r.ts - allowedLateness)
            if finalizing && r.ts >= open[sid].checkAt {
                // Its frontier moves at the next batch; not again until then.
                open[sid].checkAt = .max
                due.append(r.series)
            }
            return aggregated ? .accepted : .rawOnly
        }

        if r.ts < newest - allowedLateness { return late(r) }
        let i = series[sid].window.lowerBound(r.ts)
        if i < series[sid].window.count && series[sid].window[i].ts == r.ts {
            counters.duplicates += 1
            return .duplicate
        }
        counters.readings += 1
        readings.append(r)
        series[sid].window.insert(WindowEntry(ts: r.ts, value: r.value, aggregated: aggregated), at: i)
        guard aggregated else { return .rawOnly }
        addValue(series: r.series, ts: r.ts, value: r.value)
        if series[sid].isCounter {
            // The reading x lands between its neighbours p and s: delta(p, s)
            // is taken back from s's bucket and replaced by delta(p, x) in x's
            // bucket plus delta(x, s) in s's bucket — the in-order result.
            let rule = series[sid].rule
            let p = series[sid].window.predecessor(before: i)
            let s = series[sid].window.successor(from: i + 1)
            if let s {
                if let p {
                    addDelta(series: r.series, at: s.ts, rule.delta(prev: p.value, prevTs: p.ts, cur: s.value, curTs: s.ts), sign: -1)
                }
                addDelta(series: r.series, at: s.ts, rule.delta(prev: r.value, prevTs: r.ts, cur: s.value, curTs: s.ts), sign: 1)
            }
            if let p {
                addDelta(series: r.series, at: r.ts, rule.delta(prev: p.value, prevTs: p.ts, cur: r.value, curTs: r.ts), sign: 1)
            }
        }
        return .accepted
    }

    /// Raw-only mode: dedupe within the lateness window, store everything else.
    private mutating func collect(_ r: Reading) -> AddOutcome {
        let sid = Int(r.series)
        let entry = WindowEntry(ts: r.ts, value: r.value, aggregated: r.quality != .bad)
        if let newest = series[sid].window.newest, r.ts <= newest {
            if r.ts >= newest - allowedLateness {
                let i = series[sid].window.lowerBound(r.ts)
                if i < series[sid].window.count && series[sid].window[i].ts == r.ts {
                    counters.duplicates += 1
                    return .duplicate
                }
                series[sid].window.insert(entry, at: i)
            }
            // Older than the window: the store's insert-or-ignore dedupes it.
        } else {
            series[sid].window.append(entry)
            prune(series: r.series, boundary: r.ts - allowedLateness)
        }
        counters.readings += 1
        readings.append(r)
        return entry.aggregated ? .accepted : .rawOnly
    }

    private mutating func late(_ r: Reading) -> AddOutcome {
        counters.readings += 1
        counters.late += 1
        lateReadings.append(r)
        return .late
    }

    private mutating func addValue(series id: SeriesID, ts: EpochMillis, value: Double) {
        let isCounter = series[Int(id)].isCounter
        if finalizing {
            let i = openRow(series: id, ts: ts, isCounter: isCounter)
            open[Int(id)].buckets[i].add(ts: ts, value: value)
            return
        }
        addValue(series: id, width: partials.finest, ts: ts, value: value, isCounter: isCounter)
        if partials.hasOtherDirectWidths {
            for w in partials.directWidths where w != partials.finest {
                addValue(series: id, width: w, ts: ts, value: value, isCounter: isCounter)
            }
        }
    }

    private mutating func addValue(series id: SeriesID, width w: Int, ts: EpochMillis, value: Double, isCounter: Bool) {
        let start = partials.bucketStart(series: id, width: w, ts: ts)
        let row = partials.row(series: id, width: w, start: start, isCounter: isCounter)
        partials.addValue(row: row, ts: ts, value: value)
    }

    private mutating func addDelta(series id: SeriesID, at ts: EpochMillis, _ d: CounterDelta, sign: Int64) {
        if finalizing {
            let i = openRow(series: id, ts: ts, isCounter: true)
            open[Int(id)].buckets[i].add(d, sign: sign)
        } else {
            addDelta(series: id, width: partials.finest, at: ts, d, sign: sign)
        }
        if partials.hasOtherDirectWidths {  // never when finalising (see init)
            for w in partials.directWidths where w != partials.finest {
                addDelta(series: id, width: w, at: ts, d, sign: sign)
            }
        }
        // One implausible increase per pair of readings, whatever the widths.
        if case .implausible = d { counters.implausible += sign }
    }

    private mutating func addDelta(series id: SeriesID, width w: Int, at ts: EpochMillis, _ d: CounterDelta, sign: Int64) {
        let start = partials.bucketStart(series: id, width: w, ts: ts)
        let row = partials.row(series: id, width: w, start: start, isCounter: true)
        partials.addDelta(row: row, d, sign: sign)
    }

    /// Drops window entries older than `boundary` (keeping the newest
    /// aggregated one as the anchor).
    private mutating func prune(series id: SeriesID, boundary: EpochMillis) {
        let sid = Int(id)
        // Entries older than the boundary may stay a while: dedupe only looks
        // at ts ≥ boundary, and a predecessor found among them is the same
        // entry the anchor would hold. Pruning a lateness' worth at once
        // walks the old end sequentially instead of missing cache per reading.
        if boundary < series[sid].nextPrune { return }
        series[sid].nextPrune = boundary + allowedLateness
        while series[sid].window.front(olderThan: boundary) != nil {
            series[sid].window.dropFront()
        }
    }

    /// Frees every window's storage (the owner's `deinit`).
    mutating func deallocate() {
        for i in series.indices { series[i].window.deallocate() }
        for i in open.indices { open[i].buckets.deallocate() }
    }

    // MARK: Batches

    mutating func takeBatch(lastMessageSeq: UInt64) -> Batch {
        var batch = Batch(lastMessageSeq: lastMessageSeq)
        batch.newSeries = newSeries
        newSeries = []
        let previous = readings.count
        if finalizing { finalize() }
        batch.readings = readings
        readings = []
        readings.reserveCapacity(Swift.max(previous, 64))
        batch.lateReadings = lateReadings
        lateReadings = []
        if rawOnly {
            batch.role = .sharedIngest
        } else if finalizing {
            batch.buckets = finalRows
            finalRows = []
            batch.frontiers = frontiers
            frontiers = []
            batch.openFrom = openFrom()
        } else {
            batch.buckets = partials.take(deriving: true)
        }
        batch.deadLetters = deadLetters
        deadLetters = []
        batch.counters = counters
        counters = IngestCounters()
        return batch
    }

    // MARK: Restart

    /// Rebuilds the windows from stored readings without emitting anything
    /// (their buckets are already stored).
    mutating func restore(series infos: [SeriesInfo], recent: [Reading]) {
        for info in infos { register(info, announce: false) }
        var bySeries: [SeriesID: [Reading]] = [:]
        for r in recent { bySeries[r.series, default: []].append(r) }
        for (id, rs) in bySeries {
            ensureSeries(id)
            let sorted = rs.sorted { $0.ts < $1.ts }
            guard let newest = sorted.last?.ts else { continue }
            let boundary = newest - allowedLateness
            var anchor: WindowEntry?
            var entries: [WindowEntry] = []
            for r in sorted {
                if let last = entries.last, last.ts == r.ts { continue }  // first wins
                let e = WindowEntry(ts: r.ts, value: r.value, aggregated: r.quality != .bad)
                if r.ts < boundary {
                    if e.aggregated { anchor = e }
                } else {
                    entries.append(e)
                }
            }
            series[Int(id)].window.reset(entries: entries, anchor: anchor)
            series[Int(id)].nextPrune = .min
        }
    }
}
