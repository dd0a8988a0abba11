import KlasterCore

extension StoreConnection {
    /// See `Store.loadSeries()`.
    func loadSeries() throws(KlasterError) -> [SeriesInfo] {
        let st = try db.prepare("SELECT id, key, plant, quantity, kind, unit FROM series ORDER BY key")
        var out: [SeriesInfo] = []
        while try st.step() {
            out.append(SeriesInfo(id: SeriesID(truncatingIfNeeded: st.int64(0)), key: st.string(1), plant: st.optionalString(2),
                                  quantity: st.optionalString(3), kind: QuantityKind(rawValue: st.string(4)) ?? .gauge, unit: st.string(5)))
        }
        return out
    }

    /// Series matching any glob, by key.
    func matchingSeries(_ globs: [String]) throws(KlasterError) -> [SeriesInfo] {
        var parsed: [SeriesGlob] = []
        for g in globs { parsed.append(try SeriesGlob(g)) }
        return try loadSeries().filter { s in parsed.contains { $0.matches(s.key) } }
    }

    /// See `Store.loadRecent(allowedLateness:)`.
    func loadRecent(allowedLateness: Int64) throws(KlasterError) -> [Reading] {
        let newest = try db.prepare("SELECT max(ts) FROM readings WHERE series = ?1")
        let before = try db.prepare(
            "SELECT ts, value, seq, quality FROM readings WHERE series = ?1 AND ts < ?2 AND quality <> 2 ORDER BY ts DESC LIMIT 1")
        let window = try db.prepare("SELECT ts, value, seq, quality FROM readings WHERE series = ?1 AND ts >= ?2 ORDER BY ts")
        var out: [Reading] = []
        func reading(_ id: SeriesID, _ st: Statement) -> Reading {
            Reading(series: id, ts: st.int64(0), value: st.double(1), seq: st.optionalInt64(2).map { UInt64(bitPattern: $0) },
                    quality: Quality(rawValue: UInt8(clamping: st.int64(3))) ?? .good)
        }
        for s in try loadSeries() {
            let id = Int64(s.id)
            newest.reset(); newest.bind(1, id)
            guard try newest.step(), !newest.isNull(0) else { continue }
            let lo = newest.int64(0) - allowedLateness
            newest.reset()
            before.reset(); before.bind(1, id); before.bind(2, lo)
            if try before.step() { out.append(reading(s.id, before)) }
            before.reset()
            window.reset(); window.bind(1, id); window.bind(2, lo)
            while try window.step() { out.append(reading(s.id, window)) }
            window.reset()
        }
        return out
    }

    /// See `Store.series(glob:)`. First/last/count come from the largest
    /// stored width's table (one row per series per day by default), so the
    /// answer is cheap and outlives raw retention.
    func series(glob: String?) throws(KlasterError) -> [SeriesSummary] {
        let infos: [SeriesInfo]
        if let glob { infos = try matchingSeries([glob]) } else { infos = try loadSeries() }
        guard let largest = try storedWidths().last else { return infos.map { SeriesSummary(info: $0, count: 0) } }
        let st = try db.prepare("SELECT min(first_ts), max(last_ts), coalesce(sum(count), 0) FROM \(BucketTable.name(largest)) WHERE series = ?1")
        var out: [SeriesSummary] = []
        for info in infos {
            st.reset(); st.bind(1, Int64(info.id))
            _ = try st.step()
            out.append(SeriesSummary(info: info, firstTs: st.optionalInt64(0), lastTs: st.optionalInt64(1), count: st.int64(2)))
        }
        st.reset()
        return out
    }

    /// See `Store.stats()`.
    func stats() throws(KlasterError) -> StoreStats {
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

    /// See `Store.deadLetters(since:)`.
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
}
