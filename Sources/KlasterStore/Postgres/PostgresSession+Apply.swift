import KlasterCore

extension PostgresSession {
    /// See `PostgresStore.apply(_:)`.
    ///
    /// Readings go as one binary COPY, falling back to `INSERT … SELECT FROM
    /// unnest($1::…[], …) ON CONFLICT DO NOTHING` when one is already stored
    /// (`copyReadings`). Bucket rows of a width go the same way, falling
    /// back to `ON CONFLICT DO UPDATE` merging like `BucketRow.merge`
    /// (`copyBuckets`); the other bulk writes are one `INSERT … SELECT FROM
    /// unnest(…)` per table. README, Performance, has the measured comparisons.
    ///
    /// Statements whose result is not read are deferred
    /// (`PGConnection.runDeferred`): they reach the server with the COMMIT,
    /// in one round trip.
    func apply(_ batch: Batch) throws(KlasterError) -> UInt64 {
        if batch.role == .sharedIngest {
            // First thing: a finalising step either sees this batch's readings
            // or ran before it, and then they are judged against its frontiers.
            try connection.execute("SELECT pg_advisory_xact_lock_shared(\(Self.finalizeLock))")
        }
        try ensurePartitions(for: batch.readings.lazy.map(\.ts))
        try ensurePartitions(for: batch.lateReadings.lazy.map(\.ts))
        let c = connection
        var newIDs: [SeriesID: SeriesID] = [:]
        if !batch.newSeries.isEmpty {
            var key = PGArray(), plant = PGArray(), quantity = PGArray(), kind = PGArray(), unit = PGArray()
            // Shared ingest, in key order: ingesters meeting the same new series
            // take the unique index's locks in one order (no deadlock). Else in
            // arrival order: ids as the SQLite store gives them.
            let shared = batch.role == .sharedIngest
            for s in shared ? batch.newSeries.sorted(by: { $0.key < $1.key }) : batch.newSeries {
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
        // The shared finalising step aggregates the store's own series ids.
        let mapped = batch.role != .sharedFinalize
        func dbID(_ local: SeriesID) -> Int64 {
            guard mapped else { return Int64(local) }
            return Int64(newIDs[local] ?? uncommitted[local] ?? committed[local] ?? local)
        }

        /// The unnest parameters of a readings insert: ts, series, value, seq, quality.
        func arrays(_ readings: [Reading]) -> (PGArray, PGArray, PGArray, PGArray, PGArray) {
            let n = readings.count
            var ts = PGArray(reserving: n), series = PGArray(reserving: n), value = PGArray(reserving: n)
            var seq = PGArray(reserving: n), quality = PGArray(reserving: n)
            for r in readings {
                ts.append(r.ts); series.append(dbID(r.series)); value.append(r.value)
                seq.append(r.seq.map { Int64(bitPattern: $0) }); quality.append(Int64(r.quality.rawValue))
            }
            return (ts, series, value, seq, quality)
        }

        func insert(_ readings: [Reading], late: Bool) throws(KlasterError) -> Int64 {
            guard !readings.isEmpty else { return 0 }
            let (ts, series, value, seq, quality) = arrays(readings)
            let r = try c.run(prepared: "insert_readings", """
                INSERT INTO readings (ts, series, value, seq, quality, late)
                SELECT *, $6::boolean FROM unnest($1::bigint[], $2::integer[], $3::float8[], $4::bigint[], $5::smallint[])
                ON CONFLICT DO NOTHING
                """, [ts.literal, series.literal, value.literal, seq.literal, quality.literal, late ? "true" : "false"])
            return Int64(r.affected)
        }
        /// Shared ingest: late iff older than the series' stored frontier, and
        /// this writer's open-window bound lowered to the oldest stored reading
        /// that is not late — one statement. Rows go in primary-key order so
        /// that ingesters storing the same republished reading lock the index
        /// in one order (no deadlock).
        func insertShared(_ readings: [Reading]) throws(KlasterError) -> (inserted: Int64, late: Int64) {
            guard !readings.isEmpty else { return (0, 0) }
            let (ts, series, value, seq, quality) = arrays(readings)
            let r = try c.run(prepared: "insert_readings_shared", """
                WITH ins AS (
                    INSERT INTO readings (ts, series, value, seq, quality, late)
                    SELECT u.ts, u.series, u.value, u.seq, u.quality, coalesce(u.ts < s.final_until, false)
                    FROM unnest($1::bigint[], $2::integer[], $3::float8[], $4::bigint[], $5::smallint[])
                        AS u (ts, series, value, seq, quality)
                    JOIN series s ON s.id = u.series
                    ORDER BY u.ts, u.series
                    ON CONFLICT DO NOTHING
                    RETURNING ts, late
                ), n AS (
                    SELECT count(*) AS inserted, count(*) FILTER (WHERE late) AS late,
                           min(ts) FILTER (WHERE NOT late) AS lo FROM ins
                ), bound AS (
                    INSERT INTO counters AS c (writer, name, value)
                    SELECT $6::text, 'open_from', lo FROM n WHERE lo IS NOT NULL
                    ON CONFLICT (writer, name) DO UPDATE SET value = least(c.value, excluded.value)
                )
                SELECT inserted, late FROM n
                """, [ts.literal, series.literal, value.literal, seq.literal, quality.literal, writerID])
            return (r.int64(0, 0), r.int64(0, 1))
        }
        // Else first as one binary COPY (on time and late together), which
        // stores a batch several times faster than the INSERT; when a row is
        // already stored (a redelivery, a re-run import) the COPY fails as a
        // whole, its savepoint is rolled back and the INSERTs skip the
        // duplicates row by row.
        let insertedOnTime: Int64, insertedLate: Int64
        var lateDuplicates = Int64(batch.lateReadings.count)
        var late = batch.counters.late
        if batch.role == .sharedIngest {
            // The raw-only aggregator judges no reading late: the store does
            // (so no COPY here: lateness needs the join against `series`).
            let (inserted, storedLate) = try insertShared(batch.readings + batch.lateReadings)
            insertedOnTime = inserted - storedLate
            insertedLate = storedLate
            lateDuplicates = 0
            late = storedLate
        } else if try copyReadings(batch.readings, batch.lateReadings, id: dbID) {
            (insertedOnTime, insertedLate) = (Int64(batch.readings.count), Int64(batch.lateReadings.count))
        } else {
            insertedOnTime = try insert(batch.readings, late: false)
            insertedLate = try insert(batch.lateReadings, late: true)
        }
        if batch.role != .sharedIngest { lateDuplicates -= insertedLate }

        try upsertBuckets(batch.buckets, id: dbID)

        if !batch.frontiers.isEmpty {
            var id = PGArray(), until = PGArray(), ats = PGArray(), avalue = PGArray()
            for f in batch.frontiers {
                id.append(dbID(f.series)); until.append(f.finalUntil); ats.append(f.anchor?.ts); avalue.append(f.anchor?.value)
            }
            try c.runDeferred(prepared: "set_frontiers", """
                UPDATE series AS s SET final_until = f.until, anchor_ts = f.ats, anchor_value = f.avalue
                FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::float8[]) AS f (id, until, ats, avalue)
                WHERE s.id = f.id
                """, [id.literal, until.literal, ats.literal, avalue.literal])
        }
        // Each writer keeps its own open_from (readers take the oldest): an
        // ingester for one plant must not hide another's open window. In
        // shared mode ingesters only lower theirs (with their readings,
        // above), and the finalising step — which sees every open reading,
        // under the exclusive lock — replaces them all with the oldest open
        // bucket; readings stored after it lower their writer's row again.
        // So the minimum is a lower bound of every open reading's ts, series
        // never finalised included, without an idle series' frontier pinning it.
        if batch.role == .sharedIngest {
            // Bound lowered by `insertShared`.
        } else if batch.role == .sharedFinalize {
            try c.runDeferred(prepared: "clear_all_open_from", "DELETE FROM counters WHERE name = 'open_from'", [])
            if let openFrom = batch.openFrom {
                try c.runDeferred(prepared: "set_open_from", """
                    INSERT INTO counters (writer, name, value) VALUES ($1::text, 'open_from', $2::bigint)
                    ON CONFLICT (writer, name) DO UPDATE SET value = excluded.value
                    """, [writerID, String(openFrom)])
            }
        } else if let openFrom = batch.openFrom {
            try c.runDeferred(prepared: "set_open_from", """
                INSERT INTO counters (writer, name, value) VALUES ($1::text, 'open_from', $2::bigint)
                ON CONFLICT (writer, name) DO UPDATE SET value = excluded.value
                """, [writerID, String(openFrom)])
        } else {
            try c.runDeferred(prepared: "clear_open_from", "DELETE FROM counters WHERE writer = $1::text AND name = 'open_from'", [writerID])
        }

        if !batch.deadLetters.isEmpty {
            var topic = PGArray(), payload = PGArray(), received = PGArray(), reason = PGArray(), detail = PGArray()
            for d in batch.deadLetters {
                topic.append(d.topic); payload.append(bytes: d.payload); received.append(d.receivedAt)
                reason.append(d.reason.rawValue); detail.append(d.detail)
            }
            try c.runDeferred(prepared: "insert_deadletters", """
                INSERT INTO deadletter (topic, payload, received_at, reason, detail)
                SELECT * FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::text[], $5::text[])
                """, [topic.literal, payload.literal, received.literal, reason.literal, detail.literal])
        }

        // Sparkplug DEATH/BIRTH marks, in order (a later BIRTH clears an earlier DEATH).
        for m in batch.staleMarks {
            if m.stale {
                try c.runDeferred(prepared: "mark_stale", "INSERT INTO series_stale (series, since) VALUES ($1::integer, $2::bigint) ON CONFLICT (series) DO NOTHING",
                              [String(dbID(m.series)), String(m.at)])
            } else {
                try c.runDeferred(prepared: "clear_stale", "DELETE FROM series_stale WHERE series = $1::integer", [String(dbID(m.series))])
            }
        }

        // The same counter arithmetic as the SQLite store: a reading whose
        // (series, ts) is already stored is a duplicate, not late.
        let k = batch.counters
        let inserted = insertedOnTime + insertedLate
        let ignored = Int64(batch.readings.count + batch.lateReadings.count) - inserted
        var adds: [(String, Int64)] = [
            ("messages", k.messages), ("readings", inserted), ("accepted", k.readings),
            ("duplicates", k.duplicates + ignored), ("late", late - lateDuplicates), ("implausible", k.implausible),
        ]
        for (reason, n) in k.deadLetters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            adds.append(("deadletter:\(reason.rawValue)", n))
        }
        try addCounters(adds, committedSeq: batch.lastMessageSeq)
        // Kept aside until the enclosing transaction commits (`commitWrites`).
        for (local, id) in newIDs { uncommittedIDMap[local] = id }
        return batch.lastMessageSeq
    }

    /// Stores readings with one `COPY readings … (FORMAT binary)` inside a
    /// savepoint (`PGConnection.copyInUnlessDuplicate`).
    /// - Returns: `true` when every reading was stored; `false` when one was
    ///   already there and nothing was (the caller inserts them skipping duplicates).
    func copyReadings(_ onTime: [Reading], _ late: [Reading], id: (SeriesID) -> Int64) throws(KlasterError) -> Bool {
        guard !onTime.isEmpty || !late.isEmpty else { return true }
        // A row: 6 fields of 4-byte lengths and 8 + 4 + 8 + 8 + 2 + 1 bytes, plus its field count.
        var rows = PGCopyBinary(reservingRows: onTime.count + late.count, bytesPerRow: 2 + 6 * 4 + 31)
        for (readings, isLate) in [(onTime, false), (late, true)] {
            for r in readings {
                rows.beginRow(fields: 6)
                rows.append(int64: r.ts)
                rows.append(int32: Int32(truncatingIfNeeded: id(r.series)))
                rows.append(r.value)
                rows.append(int64: r.seq.map { Int64(bitPattern: $0) })
                rows.append(int16: Int16(truncatingIfNeeded: r.quality.rawValue))
                rows.append(bool: isLate)
            }
        }
        let copied = try connection.copyInUnlessDuplicate(
            "COPY readings (ts, series, value, seq, quality, late) FROM STDIN (FORMAT binary)", rows.finish())
        return copied != nil
    }

    /// Adds to this writer's counters (and raises its committed_seq), one statement.
    func addCounters(_ adds: [(String, Int64)], committedSeq: UInt64?) throws(KlasterError) {
        var names = PGArray(), values = PGArray()
        for (name, n) in adds where n != 0 { names.append(name); values.append(n) }
        if let committedSeq { names.append("committed_seq"); values.append(Int64(clamping: committedSeq)) }
        try connection.runDeferred(prepared: "add_counters", """
            INSERT INTO counters AS c (writer, name, value)
            SELECT $1::text, * FROM unnest($2::text[], $3::bigint[])
            ON CONFLICT (writer, name) DO UPDATE SET value =
                CASE WHEN excluded.name = 'committed_seq' THEN greatest(c.value, excluded.value) ELSE c.value + excluded.value END
            """, [writerID, names.literal, values.literal])
    }

    /// Merges bucket partials into their width tables (inside the caller's
    /// transaction): first among themselves by (width, series, start) —
    /// one upsert may not touch a row twice — then one binary COPY or upsert
    /// per width (`copyBuckets`), rows in (series, start) order so that
    /// concurrent writers lock rows in the same order and cannot deadlock.
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
            if try copyBuckets(list.map { ($0.key.series, $0.value) }, width: w) { continue }
            var a = (0..<12).map { _ in PGArray(reserving: list.count) }
            for (k, b) in list {
                let empty = b.count == 0
                a[0].append(k.series); a[1].append(b.start); a[2].append(b.count); a[3].append(b.sum)
                a[4].append(empty ? nil : b.min); a[5].append(empty ? nil : b.max)
                a[6].append(empty ? nil : b.firstTs); a[7].append(empty ? nil : b.first)
                a[8].append(empty ? nil : b.lastTs); a[9].append(empty ? nil : b.last)
                a[10].append(b.delta); a[11].append(b.implausible)
            }
            try connection.runDeferred(prepared: "upsert_\(w.description)", PostgresSchema.bucketUpsert(w), a.map { Optional($0.literal) })
        }
    }

    /// New bucket rows as one binary COPY into their width's table, inside a
    /// savepoint: a final minute is written once, so its rows are nearly
    /// always new and the COPY stores them several times faster than the
    /// upsert. When a row is already there (a coarse bucket that gathers
    /// minutes over several batches, a delta correction) the COPY fails
    /// whole and the caller upserts; the width then skips the COPY for its
    /// next `bucketCopyPause` batches, so a width whose rows usually exist
    /// does not pay a failed COPY each time.
    /// - Parameter list: Database series ids and rows, in (series, start) order.
    /// - Returns: `true` when the rows were stored.
    func copyBuckets(_ list: [(series: Int64, row: BucketRow)], width: BucketWidth) throws(KlasterError) -> Bool {
        if let pause = bucketCopyPaused[width], pause > 0 {
            bucketCopyPaused[width] = pause - 1
            return false
        }
        // A row: 12 fields of 4-byte lengths and 4 + 10 × 8 + 8 bytes at most, plus its field count.
        var rows = PGCopyBinary(reservingRows: list.count, bytesPerRow: 2 + 12 * 4 + 92)
        for (series, b) in list {
            let empty = b.count == 0
            rows.beginRow(fields: 12)
            rows.append(int32: Int32(truncatingIfNeeded: series)); rows.append(int64: b.start); rows.append(int64: b.count); rows.append(b.sum)
            rows.append(empty ? nil : b.min); rows.append(empty ? nil : b.max)
            rows.append(int64: empty ? nil : b.firstTs); rows.append(empty ? nil : b.first)
            rows.append(int64: empty ? nil : b.lastTs); rows.append(empty ? nil : b.last)
            rows.append(b.delta); rows.append(int64: b.implausible)
        }
        let sql = "COPY \(PostgresSchema.bucketTable(width)) (\(PostgresSchema.bucketColumns)) FROM STDIN (FORMAT binary)"
        guard try connection.copyInUnlessDuplicate(sql, rows.finish()) != nil else {
            bucketCopyPaused[width] = Self.bucketCopyPause
            return false
        }
        return true
    }

    /// Batches a width's bucket rows go straight to the upsert after a COPY of them met an existing row.
    static let bucketCopyPause = 16
}
