import KlasterCore

extension StoreConnection {
    /// The largest stored width that divides `every`.
    /// - Throws: `.usage` when none does.
    func baseWidth(for every: Int64) throws(KlasterError) -> BucketWidth {
        let stored = try storedWidths()
        guard every > 0, let base = stored.last(where: { every % $0.millis == 0 }) else {
            throw KlasterError(.usage, "unknown width \(every > 0 ? BucketWidth(millis: every).description : "\(every)ms") for --every",
                               hint: "use a multiple of a stored width: \(stored.map(\.description).joined(separator: ", "))")
        }
        return base
    }

    /// See `Store.buckets(seriesGlob:from:to:every:)`.
    func buckets(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [SeriesBucket] {
        var result: [SeriesBucket] = []
        try forEachBucket(seriesGlob: seriesGlob, from: from, to: to, every: every) { result.append($0) }
        return result
    }

    /// See `Store.forEachBucket(seriesGlob:from:to:every:_:)`.
    func forEachBucket(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64,
                       _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        guard from <= to else {
            throw KlasterError(.usage, "--from \(RFC3339.format(from)) is after --to \(RFC3339.format(to))", hint: "swap them")
        }
        let base = try baseWidth(for: every)
        let series = try matchingSeries(seriesGlob)
        let out = BucketWidth(millis: every)
        let lo = out.start(of: from)
        let st = try db.prepare("SELECT \(BucketTable.columns) FROM \(BucketTable.name(base)) WHERE series = ?1 AND start >= ?2 AND start < ?3 ORDER BY start")
        defer { st.reset() }
        for s in series {
            st.reset()
            st.bind(1, Int64(s.id)); st.bind(2, lo); st.bind(3, to)
            var current: BucketRow?
            while try st.step() {
                var row = Self.bucketRow(st, series: s.id, width: base)
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

    /// A bucket row from the columns of `BucketTable.columns`; NULL
    /// min/max/first/last (a delta-only row) become the identities of `merge`.
    static func bucketRow(_ st: Statement, series: SeriesID, width: BucketWidth) -> BucketRow {
        BucketRow(series: series, width: width, start: st.int64(1), count: st.int64(2), sum: st.double(3),
                  min: st.optionalDouble(4) ?? .infinity, max: st.optionalDouble(5) ?? -.infinity,
                  firstTs: st.optionalInt64(6) ?? .max, first: st.optionalDouble(7) ?? 0,
                  lastTs: st.optionalInt64(8) ?? .min, last: st.optionalDouble(9) ?? 0,
                  delta: st.optionalDouble(10), implausible: st.int64(11))
    }
}
