import KlasterCore

/// The read primitives of `StoreReader` on SQLite.
extension SQLiteConnection {
    func loadSeries() throws(KlasterError) -> [SeriesInfo] {
        let st = try db.prepare("SELECT id, key, plant, quantity, kind, unit FROM series ORDER BY key")
        var out: [SeriesInfo] = []
        while try st.step() {
            out.append(SeriesInfo(id: SeriesID(truncatingIfNeeded: st.int64(0)), key: st.string(1), plant: st.optionalString(2),
                                  quantity: st.optionalString(3), kind: QuantityKind(rawValue: st.string(4)) ?? .gauge, unit: st.string(5)))
        }
        return out
    }

    func frontiers() throws(KlasterError) -> [SeriesID: SeriesFrontier] {
        let st = try db.prepare("SELECT id, final_until, anchor_ts, anchor_value FROM series WHERE final_until IS NOT NULL")
        var out: [SeriesID: SeriesFrontier] = [:]
        while try st.step() {
            let id = SeriesID(truncatingIfNeeded: st.int64(0))
            let anchor = st.isNull(2) ? nil : SeriesFrontier.Anchor(ts: st.int64(2), value: st.double(3))
            out[id] = SeriesFrontier(series: id, finalUntil: st.int64(1), anchor: anchor)
        }
        return out
    }

    func openFrom() throws(KlasterError) -> EpochMillis? {
        try db.scalarInt("SELECT value FROM counters WHERE name = 'open_from'")
    }

    func forEachReading(from: EpochMillis, to: EpochMillis, includeLate: Bool,
                        _ body: (Reading) throws(KlasterError) -> Void) throws(KlasterError) {
        let st = try db.prepare("""
            SELECT ts, series, value, seq, quality FROM readings
            WHERE ts >= ?1 AND ts < ?2\(includeLate ? "" : " AND late = 0") ORDER BY ts, series
            """)
        st.bind(1, from)
        st.bind(2, to)
        while try st.step() {
            try body(Reading(series: SeriesID(truncatingIfNeeded: st.int64(1)), ts: st.int64(0), value: st.double(2),
                             seq: st.optionalInt64(3).map { UInt64(bitPattern: $0) },
                             quality: Quality(rawValue: UInt8(clamping: st.int64(4))) ?? .good))
        }
    }

    func finalTotals(width: BucketWidth) throws(KlasterError) -> [SeriesID: SeriesSummary.Totals] {
        let st = try db.prepare("SELECT series, min(first_ts), max(last_ts), coalesce(sum(count), 0) FROM \(BucketTable.name(width)) GROUP BY series")
        var out: [SeriesID: SeriesSummary.Totals] = [:]
        while try st.step() {
            out[SeriesID(truncatingIfNeeded: st.int64(0))] = SeriesSummary.Totals(firstTs: st.optionalInt64(1), lastTs: st.optionalInt64(2), count: st.int64(3))
        }
        return out
    }

    func tableStats() throws(KlasterError) -> StoreStats {
        var counters: [String: Int64] = [:]
        let st = try db.prepare("SELECT name, value FROM counters")
        while try st.step() { counters[st.string(0)] = st.int64(1) }
        var byReason: [String: Int64] = [:]
        for (name, v) in counters where name.hasPrefix("deadletter:") { byReason[String(name.dropFirst("deadletter:".count))] = v }
        var byWidth: [BucketWidth: Int64] = [:]
        for w in try storedWidths() { byWidth[w] = try db.scalarInt("SELECT count(*) FROM \(BucketTable.name(w))") ?? 0 }
        return StoreStats(messages: counters["messages"] ?? 0, readings: counters["readings"] ?? 0,
                          duplicates: counters["duplicates"] ?? 0, late: counters["late"] ?? 0,
                          implausible: counters["implausible"] ?? 0, deadLettersByReason: byReason,
                          series: try db.scalarInt("SELECT count(*) FROM series") ?? 0,
                          buckets: byWidth.values.reduce(0, +), bucketsByWidth: byWidth,
                          committedSeq: UInt64(clamping: counters["committed_seq"] ?? 0))
    }

    func deadLetters(since: EpochMillis?) throws(KlasterError) -> [StoredDeadLetter] {
        let st = try db.prepare("SELECT id, topic, payload, received_at, reason, detail FROM deadletter WHERE received_at >= ?1 ORDER BY received_at, id")
        st.bind(1, since ?? Int64.min)
        var out: [StoredDeadLetter] = []
        while try st.step() {
            out.append(StoredDeadLetter(id: st.int64(0), topic: st.string(1), payload: st.blob(2), receivedAt: st.int64(3),
                                        reason: st.string(4), detail: st.string(5)))
        }
        return out
    }

    func staleSeries() throws(KlasterError) -> [SeriesID: EpochMillis] {
        let st = try db.prepare("SELECT series, since FROM series_stale")
        var out: [SeriesID: EpochMillis] = [:]
        while try st.step() { out[SeriesID(truncatingIfNeeded: st.int64(0))] = st.int64(1) }
        return out
    }

    func loadAlertStates() throws(KlasterError) -> [String: AlertState] {
        let st = try db.prepare("SELECT rule, status, since, level, pending, pending_since, last_window_end, value FROM alert_state")
        var out: [String: AlertState] = [:]
        while try st.step() {
            guard let status = AlertStatus(rawValue: Int32(st.int64(1))),
                  let level = AlertStatus(rawValue: Int32(st.int64(3))) else { continue }
            out[st.string(0)] = AlertState(status: status, since: st.int64(2), level: level,
                                           pending: st.optionalInt64(4).flatMap { AlertStatus(rawValue: Int32($0)) },
                                           pendingSince: st.optionalInt64(5), lastWindowEnd: st.optionalInt64(6),
                                           value: st.optionalDouble(7))
        }
        return out
    }

    func saveAlertStates(_ states: [String: AlertState]) throws(KlasterError) {
        let st = try db.prepare("""
            INSERT INTO alert_state (rule, status, since, level, pending, pending_since, last_window_end, value)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT (rule) DO UPDATE SET status = excluded.status, since = excluded.since, level = excluded.level,
                pending = excluded.pending, pending_since = excluded.pending_since,
                last_window_end = excluded.last_window_end, value = excluded.value
            """)
        for (rule, s) in states.sorted(by: { $0.key < $1.key }) {
            try st.run { st in
                st.bind(1, rule)
                st.bind(2, Int64(s.status.rawValue))
                st.bind(3, s.since)
                st.bind(4, Int64(s.level.rawValue))
                st.bind(5, s.pending.map { Int64($0.rawValue) })
                st.bind(6, s.pendingSince)
                st.bind(7, s.lastWindowEnd)
                st.bind(8, s.value)
            }
        }
    }

    func schemaVersion() throws(KlasterError) -> Int {
        try Migrations.version(of: db)
    }
}
