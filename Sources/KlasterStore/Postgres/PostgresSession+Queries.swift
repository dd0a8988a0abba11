import KlasterCore

/// The read primitives of `StoreReader` on PostgreSQL. Everything built on
/// them (buckets with the open window, series summaries, stats, emissions) is
/// the shared code of `StoreReader`'s extensions, so both stores answer alike.
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

    func frontiers() throws(KlasterError) -> [SeriesID: SeriesFrontier] {
        let r = try connection.run(prepared: "frontiers",
                                   "SELECT id, final_until, anchor_ts, anchor_value FROM series WHERE final_until IS NOT NULL", [])
        var out: [SeriesID: SeriesFrontier] = [:]
        for i in 0..<r.rows {
            let id = SeriesID(truncatingIfNeeded: r.int64(i, 0))
            let anchor = r.isNull(i, 2) ? nil : SeriesFrontier.Anchor(ts: r.int64(i, 2), value: r.double(i, 3))
            out[id] = SeriesFrontier(series: id, finalUntil: r.int64(i, 1), anchor: anchor)
        }
        return out
    }

    /// The oldest of the writers' open_from. A writer that died leaves its
    /// row behind; that only widens the raw scan, and only for series without
    /// a frontier (the shared open-window code starts at the wanted series'
    /// oldest frontier otherwise).
    func openFrom() throws(KlasterError) -> EpochMillis? {
        try connection.scalarInt("SELECT min(value) FROM counters WHERE name = 'open_from'")
    }

    /// Streams through a cursor, 10,000 rows a round trip: a rebuild of a
    /// year never holds the year's readings in memory. (Always inside the
    /// read or write transaction, which a cursor needs.)
    func forEachReading(from: EpochMillis, to: EpochMillis, includeLate: Bool,
                        _ body: (Reading) throws(KlasterError) -> Void) throws(KlasterError) {
        cursorCount += 1
        let cursor = "klaster_readings_\(cursorCount)"
        _ = try connection.query("""
            DECLARE \(cursor) NO SCROLL CURSOR FOR
            SELECT ts, series, value, seq, quality FROM readings
            WHERE ts >= $1::bigint AND ts < $2::bigint\(includeLate ? "" : " AND NOT late") ORDER BY ts, series
            """, [String(from), String(to)])
        while true {
            let r = try connection.query("FETCH 10000 FROM \(cursor)")
            for i in 0..<r.rows {
                try body(Reading(series: SeriesID(truncatingIfNeeded: r.int64(i, 1)), ts: r.int64(i, 0), value: r.double(i, 2),
                                 seq: r.optionalInt64(i, 3).map { UInt64(bitPattern: $0) },
                                 quality: Quality(rawValue: UInt8(clamping: r.int64(i, 4))) ?? .good))
            }
            if r.rows < 10_000 { break }
        }
        try connection.execute("CLOSE \(cursor)")
    }

    func forEachFinalBucket(series: SeriesInfo, width: BucketWidth, from: EpochMillis, to: EpochMillis,
                            _ body: (BucketRow) throws(KlasterError) -> Void) throws(KlasterError) {
        let r = try connection.run(prepared: "final_buckets_\(width.description)", """
            SELECT \(PostgresSchema.bucketColumns) FROM \(PostgresSchema.bucketTable(width))
            WHERE series = $1::integer AND start >= $2::bigint AND start < $3::bigint ORDER BY start
            """, [String(series.id), String(from), String(to)])
        for i in 0..<r.rows { try body(Self.bucketRow(r, i, series: series.id, width: width)) }
    }

    func finalTotals(width: BucketWidth) throws(KlasterError) -> [SeriesID: SeriesSummary.Totals] {
        let r = try connection.query("""
            SELECT series, min(first_ts), max(last_ts), coalesce(sum(count), 0)::bigint
            FROM \(PostgresSchema.bucketTable(width)) GROUP BY series
            """)
        var out: [SeriesID: SeriesSummary.Totals] = [:]
        for i in 0..<r.rows {
            out[SeriesID(truncatingIfNeeded: r.int64(i, 0))] = SeriesSummary.Totals(firstTs: r.optionalInt64(i, 1), lastTs: r.optionalInt64(i, 2),
                                                                                  count: r.int64(i, 3))
        }
        return out
    }

    /// Counters summed over writers (`committed_seq`: the highest).
    func tableStats() throws(KlasterError) -> StoreStats {
        let r = try connection.query("""
            SELECT name, CASE WHEN name = 'committed_seq' THEN max(value) ELSE sum(value) END::bigint
            FROM counters WHERE name <> 'open_from' GROUP BY name
            """)
        var counters: [String: Int64] = [:]
        for i in 0..<r.rows { counters[r.string(i, 0)] = r.int64(i, 1) }
        var byReason: [String: Int64] = [:]
        for (name, v) in counters where name.hasPrefix("deadletter:") {
            byReason[String(name.dropFirst("deadletter:".count))] = v
        }
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

    func staleSeries() throws(KlasterError) -> [SeriesID: EpochMillis] {
        let r = try connection.query("SELECT series, since FROM series_stale")
        var out: [SeriesID: EpochMillis] = [:]
        for i in 0..<r.rows { out[SeriesID(truncatingIfNeeded: r.int64(i, 0))] = r.int64(i, 1) }
        return out
    }

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
