import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

/// The bucket write of `Store.apply`, on both stores: a row for a new
/// (series, start) is stored as it is, a row for a stored one merges into it
/// (`BucketRow.merge`), whichever way the store sends them (PostgreSQL: a
/// binary COPY, falling back to the upsert when a row exists, and the upsert
/// alone for a while after that).
@Suite struct BucketWriteTests {
    static func row(_ start: EpochMillis, width: BucketWidth, _ values: [Double], delta: Double?) -> BucketRow {
        var r = BucketRow(series: energy.id, width: width, start: start, count: 1, sum: values[0], min: values[0], max: values[0],
                          firstTs: start, first: values[0], lastTs: start, last: values[0], delta: delta)
        for (i, v) in values.enumerated().dropFirst() {
            r.merge(BucketRow(series: energy.id, width: width, start: start, count: 1, sum: v, min: v, max: v,
                              firstTs: start + Int64(i), first: v, lastTs: start + Int64(i), last: v, delta: delta.map { _ in 0.5 }))
        }
        return r
    }

    static func stored(_ store: any Store, _ width: BucketWidth) throws -> [BucketRow] {
        try store.read { (db: any StoreReader) throws(KlasterError) -> [BucketRow] in
            var out: [BucketRow] = []
            try db.forEachFinalBucket(series: energy, width: width, from: .min, to: .max) { out.append($0) }
            return out
        }
    }

    @Test(arguments: Backend.allCases) func newRowsAreStoredAndExistingOnesMerge(_ backend: Backend) throws {
        let f = try StoreFixture(backend)
        let m = BucketWidth(millis: 60_000), h = BucketWidth(millis: 3_600_000)
        var expectedHour = Self.row(t0, width: h, [5, -2.5], delta: 1.25)
        var b = Batch(lastMessageSeq: 1)
        b.newSeries = [energy]
        b.buckets = [Self.row(t0, width: m, [5, -2.5], delta: 1.25), expectedHour]
        try f.store.apply(b)
        // Rounds 2…20: a new minute each (COPY), and more of the same hour
        // (the first time a failed COPY, then the upsert directly, then COPY again).
        var minutes = [b.buckets[0]]
        for i in 1..<20 {
            let start = t0 + Int64(i) * 60_000
            let minute = Self.row(start, width: m, [Double(i), 1e300, -.infinity], delta: nil)
            var hour = minute
            hour.width = h
            hour.start = t0
            expectedHour.merge(hour)
            minutes.append(minute)
            var next = Batch(lastMessageSeq: UInt64(i + 1))
            next.buckets = [minute, hour]
            try f.store.apply(next)
        }
        let gotMinutes = try Self.stored(f.store, m), gotHour = try Self.stored(f.store, h)
        #expect(gotMinutes == minutes)
        #expect(gotHour == [expectedHour])
        #expect(gotHour.map(\.count) == [Int64(2 + 19 * 3)])
        #expect(try f.store.stats().committedSeq == 20)
    }

    /// A delta-only row (count 0: no min, max, first or last) for a stored
    /// bucket adds its delta and nothing else; for a new bucket it is stored as it is.
    @Test(arguments: Backend.allCases) func aDeltaOnlyRowAddsItsDelta(_ backend: Backend) throws {
        let f = try StoreFixture(backend)
        let m = BucketWidth(millis: 60_000)
        let full = Self.row(t0, width: m, [10, 11], delta: 2)
        let correction = BucketRow(series: energy.id, width: m, start: t0, count: 0, sum: 0, min: .infinity, max: -.infinity,
                                   firstTs: .max, first: 0, lastTs: .min, last: 0, delta: -0.5)
        var b = Batch(lastMessageSeq: 1)
        b.newSeries = [energy]
        b.buckets = [full]
        try f.store.apply(b)
        var c = Batch(lastMessageSeq: 2)
        var alone = correction
        alone.start = t0 + 60_000
        c.buckets = [correction, alone]
        try f.store.apply(c)
        var merged = full
        merged.merge(correction)
        let got = try Self.stored(f.store, m)
        #expect(got.count == 2)
        #expect(got.first == merged)
        #expect(got.last?.count == 0 && got.last?.delta == -0.5)
    }
}
