import KlasterCore

extension PostgresSession {
    /// See `Store.rebuild(from:to:quantities:)`: the same replay as the SQLite
    /// store (a fresh in-order `Aggregator` per range, seeded with each
    /// series' last good reading before it), in one transaction.
    func rebuild(from: EpochMillis, to: EpochMillis, quantities: QuantityTable) throws(KlasterError) -> Int {
        guard from < to else {
            throw KlasterError(.usage, "--from \(RFC3339.format(from)) is not before --to \(RFC3339.format(to))", hint: "swap them")
        }
        let widths = try storedWidths()
        guard let largest = widths.last else { return 0 }
        let lo = largest.start(of: from)
        let hi = largest.start(of: to - 1) + largest.millis
        let series = try loadSeries()
        let c = connection
        return try c.transaction { () throws(KlasterError) -> Int in
            for w in widths {
                _ = try c.query("DELETE FROM \(PostgresSchema.bucketTable(w)) WHERE start >= $1::bigint AND start < $2::bigint",
                                [String(lo), String(hi)])
            }
            let seedRows = try c.query("""
                SELECT s.id, b.ts, b.value, b.seq, b.quality FROM series s
                CROSS JOIN LATERAL (SELECT ts, value, seq, quality FROM readings r
                                    WHERE r.series = s.id AND r.ts < $1::bigint AND r.quality <> 2 ORDER BY ts DESC LIMIT 1) b
                """, [String(lo)])
            var seeds: [Reading] = []
            for i in 0..<seedRows.rows {
                seeds.append(Reading(series: SeriesID(truncatingIfNeeded: seedRows.int64(i, 0)), ts: seedRows.int64(i, 1),
                                     value: seedRows.double(i, 2), seq: seedRows.optionalInt64(i, 3).map { UInt64(bitPattern: $0) },
                                     quality: Quality(rawValue: UInt8(clamping: seedRows.int64(i, 4))) ?? .good))
            }
            seeds.sort { ($0.series, $0.ts) < ($1.series, $1.ts) }
            let aggregator = Aggregator(widths: widths, allowedLateness: 0, quantities: quantities)
            aggregator.restore(series: series, recent: seeds)
            var replayed = 0
            for s in series {
                let r = try c.run(prepared: "rebuild_scan", """
                    SELECT ts, value, seq, quality FROM readings
                    WHERE series = $1::integer AND ts >= $2::bigint AND ts < $3::bigint ORDER BY ts
                    """, [String(s.id), String(lo), String(hi)])
                for i in 0..<r.rows {
                    aggregator.add(Reading(series: s.id, ts: r.int64(i, 0), value: r.double(i, 1),
                                           seq: r.optionalInt64(i, 2).map { UInt64(bitPattern: $0) },
                                           quality: Quality(rawValue: UInt8(clamping: r.int64(i, 3))) ?? .good))
                    replayed += 1
                }
                // One series at a time keeps the partials small; ids are database ids.
                try upsertBuckets(aggregator.takeBatch(lastMessageSeq: 0).buckets, id: { Int64($0) })
            }
            return replayed
        }
    }

    /// `VACUUM (ANALYZE)` (outside a transaction, as PostgreSQL requires).
    func vacuum() throws(KlasterError) {
        try connection.execute("VACUUM (ANALYZE)")
    }

    /// See `PostgresStore.deleteExpired(now:rawRetention:bucketRetention:batchSize:)`.
    func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64], batchSize: Int) throws(KlasterError) -> Int {
        let c = connection
        var deleted = 0
        let cutoff = now - rawRetention
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
        // Then the rows before the cutoff in the partition it cuts, in short batches.
        try drain("""
            DELETE FROM readings WHERE (series, ts) IN
            (SELECT series, ts FROM readings WHERE ts < $1::bigint LIMIT $2::integer)
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
            """, [String(cutoff), String(batchSize)])
        return deleted
    }

    /// Saved alert states by rule name.
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

    /// Replaces the saved states of the given rules, in one transaction.
    func saveAlertStates(_ states: [String: AlertState]) throws(KlasterError) {
        let c = connection
        try c.transaction { () throws(KlasterError) in
            for (rule, s) in states.sorted(by: { $0.key < $1.key }) {
                _ = try c.run(prepared: "save_alert_state", """
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
}
