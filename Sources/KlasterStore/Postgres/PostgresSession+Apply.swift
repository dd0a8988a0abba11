import KlasterCore

extension PostgresSession {
    /// See `PostgresStore.apply(_:)`.
    ///
    /// Bulk writes are one `INSERT … SELECT FROM unnest($1::…[], …)` per table
    /// (readings `ON CONFLICT DO NOTHING`, buckets `ON CONFLICT DO UPDATE`
    /// merging like `BucketRow.merge`), not COPY: COPY cannot skip a
    /// duplicate (series, ts) or merge into an existing bucket, so it would
    /// need a staging table and a second statement per table (README,
    /// Performance, has the measured comparison).
    func apply(_ batch: Batch) throws(KlasterError) -> UInt64 {
        try ensurePartitions(for: batch.readings.lazy.map(\.ts))
        try ensurePartitions(for: batch.lateReadings.lazy.map(\.ts))
        let c = connection
        var newIDs: [SeriesID: SeriesID] = [:]
        if !batch.newSeries.isEmpty {
            var key = PGArray(), plant = PGArray(), quantity = PGArray(), kind = PGArray(), unit = PGArray()
            for s in batch.newSeries {
                key.append(s.key); plant.append(s.plant); quantity.append(s.quantity)
                kind.append(s.kind.rawValue); unit.append(s.unit)
            }
            _ = try c.run(prepared: "insert_series", """
                INSERT INTO series (key, plant, quantity, kind, unit)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                ON CONFLICT (key) DO NOTHING
                """, [key.literal, plant.literal, quantity.literal, kind.literal, unit.literal])
            let r = try c.run(prepared: "select_series_ids", "SELECT key, id FROM series WHERE key = ANY($1::text[])", [key.literal])
            var byKey: [String: SeriesID] = [:]
            for i in 0..<r.rows { byKey[r.string(i, 0)] = SeriesID(truncatingIfNeeded: r.int64(i, 1)) }
            for s in batch.newSeries {
                guard let id = byKey[PGText.text(s.key)] else {
                    throw KlasterError(.software, "series \(s.key) vanished after insert")
                }
                newIDs[s.id] = id
            }
        }
        let uncommitted = uncommittedIDMap, committed = idMap
        func dbID(_ local: SeriesID) -> Int64 { Int64(newIDs[local] ?? uncommitted[local] ?? committed[local] ?? local) }

        func insert(_ readings: [Reading], late: Bool) throws(KlasterError) -> Int64 {
            guard !readings.isEmpty else { return 0 }
            let n = readings.count
            var ts = PGArray(reserving: n), series = PGArray(reserving: n), value = PGArray(reserving: n)
            var seq = PGArray(reserving: n), quality = PGArray(reserving: n)
            for r in readings {
                ts.append(r.ts); series.append(dbID(r.series)); value.append(r.value)
                seq.append(r.seq.map { Int64(bitPattern: $0) }); quality.append(Int64(r.quality.rawValue))
            }
            let r = try c.run(prepared: "insert_readings", """
                INSERT INTO readings (ts, series, value, seq, quality, late)
                SELECT *, $6::boolean FROM unnest($1::bigint[], $2::integer[], $3::float8[], $4::bigint[], $5::smallint[])
                ON CONFLICT DO NOTHING
                """, [ts.literal, series.literal, value.literal, seq.literal, quality.literal, late ? "true" : "false"])
            return Int64(r.affected)
        }
        let insertedOnTime = try insert(batch.readings, late: false)
        let insertedLate = try insert(batch.lateReadings, late: true)

        try upsertBuckets(batch.buckets, id: dbID)

        if !batch.frontiers.isEmpty {
            var id = PGArray(), until = PGArray(), ats = PGArray(), avalue = PGArray()
            for f in batch.frontiers {
                id.append(dbID(f.series)); until.append(f.finalUntil); ats.append(f.anchor?.ts); avalue.append(f.anchor?.value)
            }
            _ = try c.run(prepared: "set_frontiers", """
                UPDATE series AS s SET final_until = f.until, anchor_ts = f.ats, anchor_value = f.avalue
                FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::float8[]) AS f (id, until, ats, avalue)
                WHERE s.id = f.id
                """, [id.literal, until.literal, ats.literal, avalue.literal])
        }
        // Each writer keeps its own open_from (readers take the oldest): an
        // ingester for one plant must not hide another's open window.
        if let openFrom = batch.openFrom {
            _ = try c.run(prepared: "set_open_from", """
                INSERT INTO counters (writer, name, value) VALUES ($1::text, 'open_from', $2::bigint)
                ON CONFLICT (writer, name) DO UPDATE SET value = excluded.value
                """, [writerID, String(openFrom)])
        } else {
            _ = try c.run(prepared: "clear_open_from", "DELETE FROM counters WHERE writer = $1::text AND name = 'open_from'", [writerID])
        }

        if !batch.deadLetters.isEmpty {
            var topic = PGArray(), payload = PGArray(), received = PGArray(), reason = PGArray(), detail = PGArray()
            for d in batch.deadLetters {
                topic.append(d.topic); payload.append(bytes: d.payload); received.append(d.receivedAt)
                reason.append(d.reason.rawValue); detail.append(d.detail)
            }
            _ = try c.run(prepared: "insert_deadletters", """
                INSERT INTO deadletter (topic, payload, received_at, reason, detail)
                SELECT * FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::text[], $5::text[])
                """, [topic.literal, payload.literal, received.literal, reason.literal, detail.literal])
        }

        // Sparkplug DEATH/BIRTH marks, in order (a later BIRTH clears an earlier DEATH).
        for m in batch.staleMarks {
            if m.stale {
                _ = try c.run(prepared: "mark_stale", "INSERT INTO series_stale (series, since) VALUES ($1::integer, $2::bigint) ON CONFLICT (series) DO NOTHING",
                              [String(dbID(m.series)), String(m.at)])
            } else {
                _ = try c.run(prepared: "clear_stale", "DELETE FROM series_stale WHERE series = $1::integer", [String(dbID(m.series))])
            }
        }

        // The same counter arithmetic as the SQLite store: a reading whose
        // (series, ts) is already stored is a duplicate, not late.
        let k = batch.counters
        let inserted = insertedOnTime + insertedLate
        let lateDuplicates = Int64(batch.lateReadings.count) - insertedLate
        let ignored = Int64(batch.readings.count + batch.lateReadings.count) - inserted
        var adds: [(String, Int64)] = [
            ("messages", k.messages), ("readings", inserted), ("accepted", k.readings),
            ("duplicates", k.duplicates + ignored), ("late", k.late - lateDuplicates), ("implausible", k.implausible),
        ]
        for (reason, n) in k.deadLetters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            adds.append(("deadletter:\(reason.rawValue)", n))
        }
        try addCounters(adds, committedSeq: batch.lastMessageSeq)
        // Kept aside until the enclosing transaction commits (`commitWrites`).
        for (local, id) in newIDs { uncommittedIDMap[local] = id }
        return batch.lastMessageSeq
    }

    /// Adds to this writer's counters (and raises its committed_seq), one statement.
    func addCounters(_ adds: [(String, Int64)], committedSeq: UInt64?) throws(KlasterError) {
        var names = PGArray(), values = PGArray()
        for (name, n) in adds where n != 0 { names.append(name); values.append(n) }
        if let committedSeq { names.append("committed_seq"); values.append(Int64(clamping: committedSeq)) }
        _ = try connection.run(prepared: "add_counters", """
            INSERT INTO counters AS c (writer, name, value)
            SELECT $1::text, * FROM unnest($2::text[], $3::bigint[])
            ON CONFLICT (writer, name) DO UPDATE SET value =
                CASE WHEN excluded.name = 'committed_seq' THEN greatest(c.value, excluded.value) ELSE c.value + excluded.value END
            """, [writerID, names.literal, values.literal])
    }

    /// Merges bucket partials into their width tables (inside the caller's
    /// transaction): first among themselves by (width, series, start) —
    /// one upsert may not touch a row twice — then one upsert per width, rows
    /// in (series, start) order so that concurrent writers lock rows in the
    /// same order and cannot deadlock.
    func upsertBuckets(_ rows: [BucketRow], id: (SeriesID) -> Int64) throws(KlasterError) {
        guard !rows.isEmpty else { return }
        struct Key: Hashable { var width: Int64, series: Int64, start: Int64 }
        var merged: [Key: BucketRow] = [:]
        for b in rows {
            let k = Key(width: b.width.millis, series: id(b.series), start: b.start)
            if merged[k] == nil { merged[k] = b } else { merged[k]!.merge(b) }
        }
        let byWidth = Dictionary(grouping: merged, by: { $0.key.width })
        for width in byWidth.keys.sorted() {
            let w = BucketWidth(millis: width)
            if storedWidthsCache.isEmpty { storedWidthsCache = Set(try storedWidths()) }
            if !storedWidthsCache.contains(w) {
                try connection.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
                try connection.execute(PostgresSchema.bucketDDL(w))
                storedWidthsCache.insert(w)
            }
            let list = byWidth[width]!.sorted { ($0.key.series, $0.key.start) < ($1.key.series, $1.key.start) }
            var a = (0..<12).map { _ in PGArray(reserving: list.count) }
            for (k, b) in list {
                let empty = b.count == 0
                a[0].append(k.series); a[1].append(b.start); a[2].append(b.count); a[3].append(b.sum)
                a[4].append(empty ? nil : b.min); a[5].append(empty ? nil : b.max)
                a[6].append(empty ? nil : b.firstTs); a[7].append(empty ? nil : b.first)
                a[8].append(empty ? nil : b.lastTs); a[9].append(empty ? nil : b.last)
                a[10].append(b.delta); a[11].append(b.implausible)
            }
            _ = try connection.run(prepared: "upsert_\(w.description)", PostgresSchema.bucketUpsert(w), a.map { Optional($0.literal) })
        }
    }
}
