import KlasterCore

extension SQLiteConnection {
    /// See `StoreWriter.rebuild(from:to:)`: the shared plan and replay
    /// (`RebuildPlan`), with SQLite's deletes, seed query and updates, in the
    /// caller's transaction. The old bucket rows of the range go, the new ones
    /// are upserted, the folded readings stop being late, and the frontiers'
    /// anchors are recomputed.
    func rebuild(from: EpochMillis, to: EpochMillis) throws(KlasterError) -> Int {
        guard let plan = try rebuildPlan(from: from, to: to) else { return 0 }
        let (lo, hi, series) = (plan.lo, plan.hi, plan.series)
        let frontiers = try frontiers()
        for w in plan.widths {
            let del = try db.prepare("DELETE FROM \(BucketTable.name(w)) WHERE series = ?1 AND start >= ?2 AND start < ?3")
            for s in series { try del.run { st in st.bind(1, Int64(s.id)); st.bind(2, lo); st.bind(3, plan.until[s.id]!) } }
        }
        let seedQuery = try db.prepare(
            "SELECT ts, value FROM readings WHERE series = ?1 AND ts < ?2 AND quality <> 2 ORDER BY ts DESC LIMIT 1")
        var seeds: [Reading] = []
        for s in series {
            seedQuery.reset(); seedQuery.bind(1, Int64(s.id)); seedQuery.bind(2, lo)
            if try seedQuery.step() { seeds.append(Reading(series: s.id, ts: seedQuery.int64(0), value: seedQuery.double(1))) }
        }
        seedQuery.reset()
        let replayed = try replay(plan, seeds: seeds) { (rows: [BucketRow]) throws(KlasterError) in try upsertBuckets(rows) }

        // Folded in: no longer late (open-window readings stay as they are).
        try db.execute("""
            UPDATE readings SET late = 0 WHERE late = 1 AND ts >= \(lo) AND ts < \(hi)
              AND ts < (SELECT final_until FROM series WHERE series.id = readings.series)
            """)
        let unlate = Int64(db.changes)
        if unlate > 0 { try db.execute("UPDATE counters SET value = value - \(unlate) WHERE name = 'late'") }
        let anchor = try db.prepare(
            "SELECT ts, value FROM readings WHERE series = ?1 AND ts < ?2 AND quality <> 2 ORDER BY ts DESC LIMIT 1")
        let setAnchor = try db.prepare("UPDATE series SET anchor_ts = ?2, anchor_value = ?3 WHERE id = ?1")
        for s in series {
            guard let f = frontiers[s.id], f.finalUntil <= hi else { continue }
            anchor.reset(); anchor.bind(1, Int64(s.id)); anchor.bind(2, f.finalUntil)
            let found = try anchor.step()
            let (ts, value) = found ? (Optional(anchor.int64(0)), Optional(anchor.double(1))) : (nil, nil)
            anchor.reset()
            try setAnchor.run { st in st.bind(1, Int64(s.id)); st.bind(2, ts); st.bind(3, value) }
        }
        return replayed
    }

    /// Merges bucket partials (inside the caller's transaction); ids are database ids.
    func upsertBuckets(_ rows: [BucketRow]) throws(KlasterError) {
        for b in rows {
            let up = try upsert(for: b.width)
            try Self.bindBucket(up, b, id: Int64(b.series))
        }
    }

    /// Binds and runs one bucket upsert; a count-0 (delta-only) row stores NULLs.
    static func bindBucket(_ up: Statement, _ b: BucketRow, id: Int64) throws(KlasterError) {
        let empty = b.count == 0
        try up.run { st in
            st.bind(1, id); st.bind(2, b.start); st.bind(3, b.count); st.bind(4, b.sum)
            st.bind(5, empty ? nil : b.min); st.bind(6, empty ? nil : b.max)
            st.bind(7, empty ? nil : b.firstTs); st.bind(8, empty ? nil : b.first)
            st.bind(9, empty ? nil : b.lastTs); st.bind(10, empty ? nil : b.last)
            st.bind(11, b.delta); st.bind(12, b.implausible)
        }
    }

    /// See `Store.deleteExpired(now:rawRetention:bucketRetention:batchSize:)`.
    /// Each DELETE removes at most `batchSize` rows and commits on its own, so
    /// no long transaction blocks the daemon's writer. Raw readings go oldest
    /// first (the table's key order); those of the open window never go.
    func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64], batchSize: Int) throws(KlasterError) -> Int {
        var deleted = 0
        let open = try openFrom() ?? .max
        let rawCutoff = Swift.min(now - rawRetention, open)
        let raw = try db.prepare("""
            DELETE FROM readings WHERE (ts, series) IN
            (SELECT ts, series FROM readings WHERE ts < ?1 ORDER BY ts, series LIMIT ?2)
            """)
        while true {
            try db.transaction { () throws(KlasterError) in try raw.run { s in s.bind(1, rawCutoff); s.bind(2, Int64(batchSize)) } }
            let n = db.changes
            deleted += n
            if n < batchSize { break }
        }
        let ids = try loadSeries().map { Int64($0.id) }
        for w in try storedWidths() {
            guard let keep = bucketRetention[w.millis] else { continue }
            let st = try db.prepare("""
                DELETE FROM \(BucketTable.name(w)) WHERE series = ?1 AND start IN
                (SELECT start FROM \(BucketTable.name(w)) WHERE series = ?1 AND start < ?2 ORDER BY start LIMIT ?3)
                """)
            let cutoff = w.start(of: now - keep)
            for id in ids {
                while true {
                    try db.transaction { () throws(KlasterError) in try st.run { s in s.bind(1, id); s.bind(2, cutoff); s.bind(3, Int64(batchSize)) } }
                    let n = db.changes
                    deleted += n
                    if n < batchSize { break }
                }
            }
        }
        let dl = try db.prepare("DELETE FROM deadletter WHERE id IN (SELECT id FROM deadletter WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)")
        while true {
            try db.transaction { () throws(KlasterError) in try dl.run { s in s.bind(1, now - rawRetention); s.bind(2, Int64(batchSize)) } }
            let n = db.changes
            deleted += n
            if n < batchSize { break }
        }
        return deleted
    }
}
