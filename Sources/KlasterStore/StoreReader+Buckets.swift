import KlasterCore

/// Buckets as every command sees them: the final rows of the stored tables
/// merged with the open window computed from raw readings, so an answer is
/// exact at any moment whatever the daemon still holds in memory. Built on
/// the ``StoreReader`` primitives, so every backend answers alike.
extension StoreReader {
    /// The largest stored width that divides `every`.
    /// - Throws: `.usage` when none does.
    public func baseWidth(for every: Int64) throws(KlasterError) -> BucketWidth {
        let stored = try storedWidths()
        guard every > 0, let base = stored.last(where: { every % $0.millis == 0 }) else {
            throw KlasterError(.usage, "unknown width \(every > 0 ? BucketWidth(millis: every).description : "\(every)ms") for --every",
                               hint: "use a multiple of a stored width: \(stored.map(\.description).joined(separator: ", "))")
        }
        return base
    }

    /// Series whose key matches any of the globs, ordered by key.
    /// - Throws: `.usage` for a malformed glob.
    public func matchingSeries(_ globs: [String]) throws(KlasterError) -> [SeriesInfo] {
        var parsed: [SeriesGlob] = []
        for g in globs { parsed.append(try SeriesGlob(g)) }
        return try loadSeries().filter { s in parsed.contains { $0.matches(s.key) } }
    }

    /// Bucket aggregates of every series matching any of the globs (see
    /// ``forEachBucket(series:from:to:every:_:)``).
    public func buckets(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [SeriesBucket] {
        try buckets(series: try matchingSeries(seriesGlob), from: from, to: to, every: every)
    }

    /// Collected form of ``forEachBucket(series:from:to:every:_:)``.
    public func buckets(series: [SeriesInfo], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [SeriesBucket] {
        var result: [SeriesBucket] = []
        try forEachBucket(series: series, from: from, to: to, every: every) { result.append($0) }
        return result
    }

    /// Streaming form over globs: hands each bucket to `body` without collecting them.
    public func forEachBucket(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64,
                              _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        try forEachBucket(series: try matchingSeries(seriesGlob), from: from, to: to, every: every, body)
    }

    /// Bucket aggregates of the given series in `every`-wide buckets whose
    /// start lies in `[floor(from/every)·every, to)`, series by series (in the
    /// order given), each in start order.
    ///
    /// Read from the largest stored width that divides `every`: its final
    /// rows, plus the series' open window — the raw readings from its frontier
    /// on, aggregated here exactly as the aggregator does (counter deltas from
    /// the frontier's anchor) — merged with `BucketRow.merge`.
    /// - Throws: `.usage` for `from > to` or a width no stored width divides.
    public func forEachBucket(series: [SeriesInfo], from: EpochMillis, to: EpochMillis, every: Int64,
                              _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        guard from <= to else {
            throw KlasterError(.usage, "--from \(RFC3339.format(from)) is after --to \(RFC3339.format(to))", hint: "swap them")
        }
        let base = try baseWidth(for: every)
        let out = BucketWidth(millis: every)
        let lo = out.start(of: from)
        var open = try openWindow(series: series, before: to)
        for s in series {
            // Open rows of this series at the output width, in start order.
            var pending: [BucketRow] = []
            for var r in open.removeValue(forKey: s.id) ?? [] where base.start(of: r.start) < to {
                r.width = out
                r.start = out.start(of: r.start)
                guard r.start >= lo else { continue }
                if pending.last?.start == r.start { pending[pending.count - 1].merge(r) } else { pending.append(r) }
            }
            var next = 0
            var current: BucketRow?
            func emit(_ row: BucketRow) throws(KlasterError) {
                if current?.start == row.start {
                    current!.merge(row)
                } else {
                    if let c = current { try body(SeriesBucket(series: s, row: c)) }
                    current = row
                }
            }
            try forEachFinalBucket(series: s, width: base, from: lo, to: to) { (stored: BucketRow) throws(KlasterError) in
                var row = stored
                row.width = out
                row.start = out.start(of: row.start)
                while next < pending.count && pending[next].start < row.start {
                    try emit(pending[next])
                    next += 1
                }
                try emit(row)
            }
            while next < pending.count {
                try emit(pending[next])
                next += 1
            }
            if let c = current { try body(SeriesBucket(series: s, row: c)) }
        }
    }

    /// The open window of the given series: finest-width bucket partials of
    /// their raw readings from each series' frontier on (not late, `ts < before`),
    /// aggregated in ts order with counter deltas from the frontier's anchor.
    /// Keyed by series id; each list in start order.
    public func openWindow(series: [SeriesInfo], before: EpochMillis) throws(KlasterError) -> [SeriesID: [BucketRow]] {
        guard !series.isEmpty, let openFrom = try openFrom(), openFrom < before,
              let finest = try storedWidths().first else { return [:] }
        let frontiers = try frontiers()
        var wanted: [SeriesID: EpochMillis] = [:]
        for s in series { wanted[s.id] = frontiers[s.id]?.finalUntil ?? .min }
        let scanFrom = Swift.max(openFrom, wanted.values.min() ?? openFrom)
        guard scanFrom < before else { return [:] }
        // Lateness never applies here: the readings come in ts order.
        let aggregator = Aggregator(widths: [finest], allowedLateness: 0, quantities: quantities)
        let anchors: [Reading] = series.compactMap { s in
            frontiers[s.id]?.anchor.map { Reading(series: s.id, ts: $0.ts, value: $0.value) }
        }
        aggregator.restore(series: series, recent: anchors)
        var any = false
        try forEachReading(from: scanFrom, to: before, includeLate: false) { (r: Reading) throws(KlasterError) in
            guard let f = wanted[r.series], r.ts >= f else { return }
            aggregator.add(r)
            any = true
        }
        guard any else { return [:] }
        var out: [SeriesID: [BucketRow]] = [:]
        for r in aggregator.takeBatch(lastMessageSeq: 0).buckets.sorted(by: { ($0.series, $0.start) < ($1.series, $1.start) }) {
            out[r.series, default: []].append(r)
        }
        return out
    }

    /// Known series matching the glob (all when `nil`), with their first/last
    /// aggregated timestamps and reading counts: the largest width's final
    /// rows (cheap, and they outlive raw retention) plus the open window.
    public func series(glob: String?) throws(KlasterError) -> [SeriesSummary] {
        let infos: [SeriesInfo]
        if let glob { infos = try matchingSeries([glob]) } else { infos = try loadSeries() }
        let stale = try staleSeries()
        guard let largest = try storedWidths().last else {
            return infos.map { SeriesSummary(info: $0, count: 0, staleSince: stale[$0.id]) }
        }
        let totals = try finalTotals(width: largest)
        let open = try openWindow(series: infos, before: .max)
        return infos.map { info in
            var t = totals[info.id] ?? SeriesSummary.Totals()
            for r in open[info.id] ?? [] where r.count > 0 {
                t.count += r.count
                t.firstTs = Swift.min(t.firstTs ?? r.firstTs, r.firstTs)
                t.lastTs = Swift.max(t.lastTs ?? r.lastTs, r.lastTs)
            }
            return SeriesSummary(info: info, firstTs: t.firstTs, lastTs: t.lastTs, count: t.count, staleSince: stale[info.id])
        }
    }

    /// Ingest totals and bucket counts per width (`klaster stats`): the final
    /// rows plus the open window's buckets that have no final row yet.
    public func stats() throws(KlasterError) -> StoreStats {
        var s = try tableStats()
        let series = try loadSeries()
        let open = try openWindow(series: series, before: .max)
        guard !open.isEmpty else { return s }
        let byID = Dictionary(uniqueKeysWithValues: series.map { ($0.id, $0) })
        for w in try storedWidths() {
            var added: Int64 = 0
            for (id, rows) in open {
                guard let info = byID[id] else { continue }
                var starts: [EpochMillis] = []
                for r in rows where starts.last != w.start(of: r.start) { starts.append(w.start(of: r.start)) }
                for start in starts {
                    var stored = false
                    try forEachFinalBucket(series: info, width: w, from: start, to: start + 1) { _ in stored = true }
                    if !stored { added += 1 }
                }
            }
            s.bucketsByWidth[w, default: 0] += added
            s.buckets += added
        }
        return s
    }

    /// What a restarted daemon needs: every series, the stored frontiers, and
    /// the open window's raw readings (not late, from each frontier on) in ts order.
    public func ingestRestoreState() throws(KlasterError) -> (series: [SeriesInfo], frontiers: [SeriesFrontier], open: [Reading]) {
        let series = try loadSeries()
        let frontiers = try frontiers()
        var open: [Reading] = []
        if let from = try openFrom() {
            try forEachReading(from: from, to: .max, includeLate: false) { (r: Reading) throws(KlasterError) in
                if r.ts >= frontiers[r.series]?.finalUntil ?? .min { open.append(r) }
            }
        }
        return (series, Array(frontiers.values).sorted { $0.series < $1.series }, open)
    }
}
