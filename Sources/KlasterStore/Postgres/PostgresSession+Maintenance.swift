import KlasterCore

extension PostgresSession {
    /// See `StoreWriter.rebuild(from:to:)`: the same replay as the SQLite
    /// store (raw readings of the range, late ones too, in ts order through a
    /// fresh in-order `Aggregator` seeded with each series' last good reading
    /// before the range; per series only up to its frontier), in the caller's
    /// write transaction.
    func rebuild(from: EpochMillis, to: EpochMillis) throws(KlasterError) -> Int {
        guard let plan = try rebuildPlan(from: from, to: to) else { return 0 }
        let (lo, hi) = (plan.lo, plan.hi)
        let c = connection
        var ids = PGArray(), ends = PGArray()
        for s in plan.series { ids.append(Int64(s.id)); ends.append(plan.until[s.id]!) }
        for w in plan.widths {
            _ = try c.query("""
                DELETE FROM \(PostgresSchema.bucketTable(w)) AS b USING unnest($1::integer[], $2::bigint[]) AS u (id, until)
                WHERE b.series = u.id AND b.start >= $3::bigint AND b.start < u.until
                """, [ids.literal, ends.literal, String(lo)])
        }
        let seedRows = try c.query("""
            SELECT u.id, b.ts, b.value FROM unnest($1::integer[]) AS u (id)
            CROSS JOIN LATERAL (SELECT ts, value FROM readings r
                                WHERE r.series = u.id AND r.ts < $2::bigint AND r.quality <> 2 ORDER BY ts DESC LIMIT 1) b
            ORDER BY u.id
            """, [ids.literal, String(lo)])
        let seeds = (0..<seedRows.rows).map { i in
            Reading(series: SeriesID(truncatingIfNeeded: seedRows.int64(i, 0)), ts: seedRows.int64(i, 1), value: seedRows.double(i, 2))
        }
        // Statements may run between a cursor's fetches, so the chunks upsert as they come.
        let replayed = try replay(plan, seeds: seeds) { (rows: [BucketRow]) throws(KlasterError) in
            try upsertBuckets(rows, id: { Int64($0) })
        }

        // Folded in: no longer late (open-window readings stay as they are).
        let unlate = try c.query("""
            UPDATE readings AS r SET late = false FROM series s
            WHERE r.late AND r.ts >= $1::bigint AND r.ts < $2::bigint AND s.id = r.series AND r.ts < s.final_until
            """, [String(lo), String(hi)]).affected
        if unlate > 0 { try addCounters([("late", -Int64(unlate))], committedSeq: nil) }
        _ = try c.query("""
            UPDATE series AS s SET anchor_ts = a.ts, anchor_value = a.value
            FROM unnest($1::integer[]) AS u (id)
            LEFT JOIN LATERAL (SELECT r.ts, r.value FROM readings r, series f
                               WHERE f.id = u.id AND r.series = u.id AND r.ts < f.final_until AND r.quality <> 2
                               ORDER BY r.ts DESC LIMIT 1) a ON true
            WHERE s.id = u.id AND s.final_until <= $2::bigint
            """, [ids.literal, String(hi)])
        return replayed
    }

    /// See `PostgresStore.deleteExpired(now:rawRetention:bucketRetention:batchSize:)`.
    /// Never deletes readings of the open window.
    func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64], batchSize: Int) throws(KlasterError) -> Int {
        let c = connection
        var deleted = 0
        let open = try openFrom() ?? .max
        let cutoff = Swift.min(now - rawRetention, open)
        // Whole partitions first: DROP is O(1) and leaves no dead rows behind.
        partitions = try loadPartitions()
        for start in partitions.sorted() where start + PostgresSchema.partitionWidth <= cutoff {
            let p = PostgresSchema.partition(of: start)
            try c.transaction { () throws(KlasterError) in
                try c.execute("SELECT pg_advisory_xact_lock(\(Self.partitionLock))")
                deleted += Int(try c.scalarInt("SELECT count(*) FROM \(p.name)") ?? 0)
                try c.execute("DROP TABLE IF EXISTS \(p.name)")
            }
            partitions.remove(start)
        }
        func drain(_ sql: String, _ params: [String?]) throws(KlasterError) {
            while true {
                let n = try c.query(sql, params).affected
                deleted += n
                if n < batchSize { break }
            }
        }
        // Then the rows before the cutoff in the partition it cuts, oldest first, in short batches.
        try drain("""
            DELETE FROM readings WHERE (ts, series) IN
            (SELECT ts, series FROM readings WHERE ts < $1::bigint ORDER BY ts, series LIMIT $2::integer)
            """, [String(cutoff), String(batchSize)])
        for w in try storedWidths() {
            guard let keep = bucketRetention[w.millis] else { continue }
            let t = PostgresSchema.bucketTable(w)
            try drain("""
                DELETE FROM \(t) WHERE (series, start) IN
                (SELECT series, start FROM \(t) WHERE start < $1::bigint LIMIT $2::integer)
                """, [String(w.start(of: now - keep)), String(batchSize)])
        }
        try drain("""
            DELETE FROM deadletter WHERE id IN (SELECT id FROM deadletter WHERE received_at < $1::bigint ORDER BY received_at LIMIT $2::integer)
            """, [String(now - rawRetention), String(batchSize)])
        return deleted
    }

    func loadAlertStates() throws(KlasterError) -> [String: AlertState] {
        let r = try connection.query("SELECT rule, status, since, level, pending, pending_since, last_window_end, value FROM alert_state")
        var out: [String: AlertState] = [:]
        for i in 0..<r.rows {
            guard let status = AlertStatus(rawValue: Int32(r.int64(i, 1))),
                  let level = AlertStatus(rawValue: Int32(r.int64(i, 3))) else { continue }
            out[r.string(i, 0)] = AlertState(status: status, since: r.int64(i, 2), level: level,
                                             pending: r.optionalInt64(i, 4).flatMap { AlertStatus(rawValue: Int32($0)) },
                                             pendingSince: r.optionalInt64(i, 5), lastWindowEnd: r.optionalInt64(i, 6),
                                             value: r.optionalDouble(i, 7))
        }
        return out
    }

    /// Replaces the saved states of the given rules (inside the caller's write transaction).
    func saveAlertStates(_ states: [String: AlertState]) throws(KlasterError) {
        for (rule, s) in states.sorted(by: { $0.key < $1.key }) {
            _ = try connection.run(prepared: "save_alert_state", """
                INSERT INTO alert_state (rule, status, since, level, pending, pending_since, last_window_end, value)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (rule) DO UPDATE SET status = excluded.status, since = excluded.since, level = excluded.level,
                    pending = excluded.pending, pending_since = excluded.pending_since,
                    last_window_end = excluded.last_window_end, value = excluded.value
                """, [PGText.text(rule), String(s.status.rawValue), String(s.since), String(s.level.rawValue),
                      s.pending.map { String($0.rawValue) }, PGText.text(s.pendingSince), PGText.text(s.lastWindowEnd),
                      PGText.text(s.value)])
        }
    }
}
