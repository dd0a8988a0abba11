import KlasterCore

extension StoreConnection {
    /// See `Store.rebuild(from:to:quantities:)`.
    ///
    /// Raw readings are replayed per series in ts order through a fresh
    /// `Aggregator` (so in-order: no reading is late, and its state stays one
    /// reading per series), seeded with each series' last good reading before
    /// the range so the first counter delta is right. Old bucket rows of the
    /// range are deleted and the new ones written in the same transaction.
    func rebuild(from: EpochMillis, to: EpochMillis, quantities: QuantityTable) throws(KlasterError) -> Int {
        guard from < to else {
            throw KlasterError(.usage, "--from \(RFC3339.format(from)) is not before --to \(RFC3339.format(to))", hint: "swap them")
        }
        let widths = try storedWidths()
        guard let largest = widths.last else { return 0 }
        let lo = largest.start(of: from)
        let hi = largest.start(of: to - 1) + largest.millis
        let series = try loadSeries()
        let seedQuery = try db.prepare(
            "SELECT ts, value, seq, quality FROM readings WHERE series = ?1 AND ts < ?2 AND quality <> 2 ORDER BY ts DESC LIMIT 1")
        let scan = try db.prepare("SELECT ts, value, seq, quality FROM readings WHERE series = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts")
        func reading(_ id: SeriesID, _ st: Statement) -> Reading {
            Reading(series: id, ts: st.int64(0), value: st.double(1), seq: st.optionalInt64(2).map { UInt64(bitPattern: $0) },
                    quality: Quality(rawValue: UInt8(clamping: st.int64(3))) ?? .good)
        }
        return try db.transaction { () throws(KlasterError) -> Int in
            for w in widths {
                let del = try db.prepare("DELETE FROM \(BucketTable.name(w)) WHERE start >= ?1 AND start < ?2")
                try del.run { st in st.bind(1, lo); st.bind(2, hi) }
            }
            var seeds: [Reading] = []
            for s in series {
                seedQuery.reset(); seedQuery.bind(1, Int64(s.id)); seedQuery.bind(2, lo)
                if try seedQuery.step() { seeds.append(reading(s.id, seedQuery)) }
            }
            seedQuery.reset()
            let aggregator = Aggregator(widths: widths, allowedLateness: 0, quantities: quantities)
            aggregator.restore(series: series, recent: seeds)
            var replayed = 0
            for s in series {
                scan.reset(); scan.bind(1, Int64(s.id)); scan.bind(2, lo); scan.bind(3, hi)
                while try scan.step() {
                    aggregator.add(reading(s.id, scan))
                    replayed += 1
                }
                // One series at a time keeps the partials small.
                try upsertBuckets(aggregator.takeBatch(lastMessageSeq: 0).buckets)
            }
            scan.reset()
            return replayed
        }
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
    /// Each DELETE removes at most `batchSize` rows of one series and commits
    /// on its own, so no long transaction blocks the daemon's writer.
    func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64], batchSize: Int) throws(KlasterError) -> Int {
        var deleted = 0
        let ids = try loadSeries().map { Int64($0.id) }
        func drain(_ table: String, key: String, cutoff: Int64) throws(KlasterError) {
            let st = try db.prepare("""
                DELETE FROM \(table) WHERE series = ?1 AND \(key) IN
                (SELECT \(key) FROM \(table) WHERE series = ?1 AND \(key) < ?2 ORDER BY \(key) LIMIT ?3)
                """)
            for id in ids {
                while true {
                    try st.run { s in s.bind(1, id); s.bind(2, cutoff); s.bind(3, Int64(batchSize)) }
                    let n = db.changes
                    deleted += n
                    if n < batchSize { break }
                }
            }
        }
        try drain("readings", key: "ts", cutoff: now - rawRetention)
        for w in try storedWidths() {
            guard let keep = bucketRetention[w.millis] else { continue }
            try drain(BucketTable.name(w), key: "start", cutoff: w.start(of: now - keep))
        }
        let dl = try db.prepare("DELETE FROM deadletter WHERE id IN (SELECT id FROM deadletter WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)")
        while true {
            try dl.run { s in s.bind(1, now - rawRetention); s.bind(2, Int64(batchSize)) }
            let n = db.changes
            deleted += n
            if n < batchSize { break }
        }
        return deleted
    }
}
