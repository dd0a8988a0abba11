import KlasterCore

extension SQLiteConnection {
    func forEachFinalBucket(series: SeriesInfo, width: BucketWidth, from: EpochMillis, to: EpochMillis,
                            _ body: (BucketRow) throws(KlasterError) -> Void) throws(KlasterError) {
        let st = try bucketScan(width)
        st.reset()
        defer { st.reset() }
        st.bind(1, Int64(series.id)); st.bind(2, from); st.bind(3, to)
        while try st.step() { try body(Self.bucketRow(st, series: series.id, width: width)) }
    }

    /// The prepared scan of one width's final rows (one per width, reused).
    private func bucketScan(_ width: BucketWidth) throws(KlasterError) -> Statement {
        if let st = bucketScans[width.millis] { return st }
        let st = try db.prepare("SELECT \(BucketTable.columns) FROM \(BucketTable.name(width)) WHERE series = ?1 AND start >= ?2 AND start < ?3 ORDER BY start")
        bucketScans[width.millis] = st
        return st
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
