import KlasterCore

extension PostgresSession {
    /// Every series ordered by key in byte order (`COLLATE "C"`, as SQLite
    /// compares), so both stores list series — and print them — identically
    /// whatever the database's locale.
    func loadSeries() throws(KlasterError) -> [SeriesInfo] {
        let r = try connection.run(prepared: "load_series",
                                   "SELECT id, key, plant, quantity, kind, unit FROM series ORDER BY key COLLATE \"C\"", [])
        return (0..<r.rows).map { i in
            SeriesInfo(id: SeriesID(truncatingIfNeeded: r.int64(i, 0)), key: r.string(i, 1), plant: r.optionalString(i, 2),
                       quantity: r.optionalString(i, 3), kind: QuantityKind(rawValue: r.string(i, 4)) ?? .gauge, unit: r.string(i, 5))
        }
    }

    /// Series matching any glob, by key.
    func matchingSeries(_ globs: [String]) throws(KlasterError) -> [SeriesInfo] {
        var parsed: [SeriesGlob] = []
        for g in globs { parsed.append(try SeriesGlob(g)) }
        return try loadSeries().filter { s in parsed.contains { $0.matches(s.key) } }
    }

    private static func reading(_ id: SeriesID, _ r: PGResult, _ i: Int, from col: Int) -> Reading {
        Reading(series: id, ts: r.int64(i, col), value: r.double(i, col + 1),
                seq: r.optionalInt64(i, col + 2).map { UInt64(bitPattern: $0) },
                quality: Quality(rawValue: UInt8(clamping: r.int64(i, col + 3))) ?? .good)
    }

    /// See `Store.loadRecent(allowedLateness:)`: per series, the last good
    /// reading before its lateness window and every reading within it.
    func loadRecent(allowedLateness: Int64) throws(KlasterError) -> [Reading] {
        let r = try connection.query("""
            WITH newest AS (
                SELECT s.id, (SELECT max(ts) FROM readings r WHERE r.series = s.id) AS top FROM series s
            ), lo AS (SELECT id, top - $1::bigint AS lo FROM newest WHERE top IS NOT NULL)
            SELECT lo.id, b.ts, b.value, b.seq, b.quality FROM lo
                CROSS JOIN LATERAL (SELECT ts, value, seq, quality FROM readings r
                                    WHERE r.series = lo.id AND r.ts < lo.lo AND r.quality <> 2 ORDER BY ts DESC LIMIT 1) b
            UNION ALL
            SELECT lo.id, r.ts, r.value, r.seq, r.quality FROM lo JOIN readings r ON r.series = lo.id AND r.ts >= lo.lo
            ORDER BY 1, 2
            """, [String(allowedLateness)])
        return (0..<r.rows).map { i in Self.reading(SeriesID(truncatingIfNeeded: r.int64(i, 0)), r, i, from: 1) }
    }

    /// See `Store.series(glob:)`: first/last/count from the largest stored width.
    func series(glob: String?) throws(KlasterError) -> [SeriesSummary] {
        let infos: [SeriesInfo]
        if let glob { infos = try matchingSeries([glob]) } else { infos = try loadSeries() }
        guard let largest = try storedWidths().last else { return infos.map { SeriesSummary(info: $0, count: 0) } }
        let r = try connection.query("""
            SELECT series, min(first_ts), max(last_ts), coalesce(sum(count), 0)
            FROM \(PostgresSchema.bucketTable(largest)) GROUP BY series
            """)
        var byID: [Int64: (Int64?, Int64?, Int64)] = [:]
        for i in 0..<r.rows { byID[r.int64(i, 0)] = (r.optionalInt64(i, 1), r.optionalInt64(i, 2), r.int64(i, 3)) }
        return infos.map { info in
            let v = byID[Int64(info.id)]
            return SeriesSummary(info: info, firstTs: v?.0, lastTs: v?.1, count: v?.2 ?? 0)
        }
    }

    /// See `Store.stats()`: counters summed over writers (`committed_seq`: the highest).
    func stats() throws(KlasterError) -> StoreStats {
        let r = try connection.query("""
            SELECT name, CASE WHEN name = 'committed_seq' THEN max(value) ELSE sum(value) END::bigint
            FROM counters GROUP BY name
            """)
        var counters: [String: Int64] = [:]
        for i in 0..<r.rows { counters[r.string(i, 0)] = r.int64(i, 1) }
        var byReason: [String: Int64] = [:]
        for (name, v) in counters where name.hasPrefix("deadletter:") { byReason[String(name.dropFirst("deadletter:".count))] = v }
        var byWidth: [BucketWidth: Int64] = [:]
        for w in try storedWidths() {
            byWidth[w] = try connection.scalarInt("SELECT count(*) FROM \(PostgresSchema.bucketTable(w))") ?? 0
        }
        return StoreStats(messages: counters["messages"] ?? 0, readings: counters["readings"] ?? 0,
                          duplicates: counters["duplicates"] ?? 0, late: counters["late"] ?? 0,
                          implausible: counters["implausible"] ?? 0, deadLettersByReason: byReason,
                          series: try connection.scalarInt("SELECT count(*) FROM series") ?? 0,
                          buckets: byWidth.values.reduce(0, +), bucketsByWidth: byWidth,
                          committedSeq: UInt64(clamping: counters["committed_seq"] ?? 0))
    }

    func committedSeq() throws(KlasterError) -> UInt64 {
        UInt64(clamping: try connection.scalarInt("SELECT max(value) FROM counters WHERE name = 'committed_seq'") ?? 0)
    }

    /// See `Store.deadLetters(since:)`.
    func deadLetters(since: EpochMillis?) throws(KlasterError) -> [StoredDeadLetter] {
        let r = try connection.query("""
            SELECT id, topic, payload, received_at, reason, detail FROM deadletter
            WHERE received_at >= $1::bigint ORDER BY received_at, id
            """, [String(since ?? Int64.min)])
        return (0..<r.rows).map { i in
            StoredDeadLetter(id: r.int64(i, 0), topic: r.string(i, 1), payload: r.bytes(i, 2), receivedAt: r.int64(i, 3),
                             reason: r.string(i, 4), detail: r.string(i, 5))
        }
    }

    /// The largest stored width that divides `every`.
    func baseWidth(for every: Int64) throws(KlasterError) -> BucketWidth {
        let stored = try storedWidths()
        guard every > 0, let base = stored.last(where: { every % $0.millis == 0 }) else {
            throw KlasterError(.usage, "unknown width \(every > 0 ? BucketWidth(millis: every).description : "\(every)ms") for --every",
                               hint: "use a multiple of a stored width: \(stored.map(\.description).joined(separator: ", "))")
        }
        return base
    }

    /// See `Store.forEachBucket(seriesGlob:from:to:every:_:)`: the same
    /// per-series scan and merge as the SQLite store, one prepared query per series.
    func forEachBucket(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64,
                       _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        guard from <= to else {
            throw KlasterError(.usage, "--from \(RFC3339.format(from)) is after --to \(RFC3339.format(to))", hint: "swap them")
        }
        let base = try baseWidth(for: every)
        let series = try matchingSeries(seriesGlob)
        let out = BucketWidth(millis: every)
        let lo = out.start(of: from)
        let sql = """
            SELECT \(PostgresSchema.bucketColumns) FROM \(PostgresSchema.bucketTable(base))
            WHERE series = $1::integer AND start >= $2::bigint AND start < $3::bigint ORDER BY start
            """
        for s in series {
            let r = try connection.run(prepared: "buckets_\(base.description)", sql, [String(s.id), String(lo), String(to)])
            var current: BucketRow?
            for i in 0..<r.rows {
                var row = Self.bucketRow(r, i, series: s.id, width: base)
                let start = out.start(of: row.start)
                row.width = out
                row.start = start
                if current?.start == start {
                    current!.merge(row)
                } else {
                    if let c = current { try body(SeriesBucket(series: s, row: c)) }
                    current = row
                }
            }
            if let c = current { try body(SeriesBucket(series: s, row: c)) }
        }
    }

    /// A bucket row from `PostgresSchema.bucketColumns`; NULL min/max/first/last
    /// (a delta-only row) become the identities of `merge`.
    static func bucketRow(_ r: PGResult, _ i: Int, series: SeriesID, width: BucketWidth) -> BucketRow {
        BucketRow(series: series, width: width, start: r.int64(i, 1), count: r.int64(i, 2), sum: r.double(i, 3),
                  min: r.optionalDouble(i, 4) ?? .infinity, max: r.optionalDouble(i, 5) ?? -.infinity,
                  firstTs: r.optionalInt64(i, 6) ?? .max, first: r.optionalDouble(i, 7) ?? 0,
                  lastTs: r.optionalInt64(i, 8) ?? .min, last: r.optionalDouble(i, 9) ?? 0,
                  delta: r.optionalDouble(i, 10), implausible: r.int64(i, 11))
    }
}
