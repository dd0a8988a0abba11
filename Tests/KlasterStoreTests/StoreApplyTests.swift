import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

@Test(arguments: Backend.allCases) func applyThenQueryHandComputedCounterAcrossRollover(_ backend: Backend) throws {
    let q = QuantityTable(overrides: ["active_energy_kwh": QuantitySpec(kind: .counter, unit: "kWh", rollover: 1000)])
    // The store computes the open window's deltas with the config's quantities too.
    let fixture = try StoreFixture(backend, quantities: q)
    let store = fixture.store
    // Minute 0: 990, 995; minute 1: 5 (wrapped at 1000: +10), 8; minute 2: 20.
    let rs = [(0, 990.0), (30_000, 995.0), (60_000, 5.0), (90_000, 8.0), (120_000, 20.0)]
        .map { Reading(series: energy.id, ts: t0 + Int64($0.0), value: $0.1) }
    try ingest(store, series: [energy], readings: rs, chunk: 2, quantities: q)
    let rows = try store.buckets(seriesGlob: ["socar-polymer/*/active_energy_kwh"], from: t0, to: t0 + 180_000, every: 60_000)
    #expect(rows.map(\.row.start) == [t0, t0 + 60_000, t0 + 120_000])
    #expect(rows.map(\.row.count) == [2, 2, 1])
    #expect(rows.map(\.row.delta) == [5, 13, 12])   // 995-990; (5+1000-995)+(8-5); 20-8
    #expect(rows.map(\.row.min) == [990, 5, 20])
    #expect(rows.map(\.row.max) == [995, 8, 20])
    #expect(rows.map(\.row.first) == [990, 5, 20])
    #expect(rows.map(\.row.last) == [995, 8, 20])
    #expect(rows[0].series.key == energy.key)
    // --every 3m merges the three 1m rows: delta adds, count adds.
    let merged = try store.buckets(seriesGlob: ["**"], from: t0, to: t0 + 180_000, every: 180_000)
    #expect(merged.count == 1)
    #expect(merged[0].row.count == 5 && merged[0].row.delta == 30 && merged[0].row.first == 990 && merged[0].row.last == 20)
    #expect(merged[0].row.width == BucketWidth(millis: 180_000))
}

@Test(arguments: Backend.allCases) func upsertMergesPartialsLikeBucketRowMerge(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    var batch = Batch(lastMessageSeq: 1)
    batch.newSeries = [power]
    batch.buckets = [BucketRow(series: 2, width: .hour, start: t0, count: 2, sum: 10, min: 4, max: 6, firstTs: t0 + 10, first: 4, lastTs: t0 + 20, last: 6, delta: nil)]
    try store.apply(batch)
    var b2 = Batch(lastMessageSeq: 2)
    let other = BucketRow(series: 2, width: .hour, start: t0, count: 1, sum: 1, min: 1, max: 1, firstTs: t0 + 5, first: 1, lastTs: t0 + 5, last: 1, delta: nil)
    b2.buckets = [other, BucketRow(series: 2, width: .hour, start: t0, count: 1, sum: 9, min: 9, max: 9, firstTs: t0 + 30, first: 9, lastTs: t0 + 30, last: 9, delta: nil)]
    try store.apply(b2)
    var expected = batch.buckets[0]
    expected.merge(b2.buckets[0]); expected.merge(b2.buckets[1])
    let got = try store.buckets(seriesGlob: [power.key], from: t0, to: t0 + 3_600_000, every: 3_600_000)
    #expect(got.count == 1)
    var row = got[0].row
    row.series = 2
    #expect(row == expected)
    #expect(try store.committedSeq() == 2)
}

@Test(arguments: Backend.allCases) func deltaOnlyRowsCarryOnlyDelta(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    var b = Batch(lastMessageSeq: 1)
    b.newSeries = [energy]
    b.buckets = [BucketRow(series: 1, width: .minute, start: t0, count: 1, sum: 5, min: 5, max: 5, firstTs: t0, first: 5, lastTs: t0, last: 5, delta: 2),
                 BucketRow(series: 1, width: .minute, start: t0 + 60_000, count: 0, sum: 0, min: .infinity, max: -.infinity, firstTs: .max, first: 0, lastTs: .min, last: 0, delta: -1)]
    try store.apply(b)
    var c = Batch(lastMessageSeq: 2)
    c.buckets = [BucketRow(series: 1, width: .minute, start: t0, count: 0, sum: 0, min: .infinity, max: -.infinity, firstTs: .max, first: 0, lastTs: .min, last: 0, delta: 3)]
    try store.apply(c)
    let rows = try store.buckets(seriesGlob: [energy.key], from: t0, to: t0 + 120_000, every: 60_000)
    #expect(rows.count == 2)
    #expect(rows[0].row.count == 1 && rows[0].row.delta == 5 && rows[0].row.min == 5 && rows[0].row.first == 5)
    #expect(rows[1].row.count == 0 && rows[1].row.delta == -1 && rows[1].row.mean == nil)
}

@Test(arguments: Backend.allCases) func duplicatesAndCountersAndDeadLetters(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    let rs = (0..<10).map { Reading(series: power.id, ts: t0 + Int64($0) * 1000, value: Double($0)) }
    try ingest(store, series: [power], readings: rs + [rs[3]])
    var b = Batch(lastMessageSeq: 99)
    b.deadLetters = [DeadLetter(topic: "nextgen/x", payload: [0xFF, 0x00, 0x41], receivedAt: t0, reason: .invalidUTF8, detail: "bad byte 0")]
    b.counters.deadLetters[.invalidUTF8] = 1
    b.counters.messages = 1
    // A redelivered raw reading the aggregator did not know: the store's key drops it and counts it.
    b.readings = [rs[0]]
    try store.apply(b)
    let s = try store.stats()
    #expect(s.messages == 12)
    #expect(s.readings == 10)
    #expect(s.duplicates == 2)
    #expect(s.deadLettersByReason == ["invalid_utf8": 1])
    #expect(s.series == 1)
    #expect(s.committedSeq == 99)
    let dl = try store.deadLetters(since: nil)
    #expect(dl.count == 1 && dl[0].payload == [0xFF, 0x00, 0x41] && dl[0].reason == "invalid_utf8")
    #expect(try store.deadLetters(since: t0 + 1).isEmpty)
}

@Test(arguments: Backend.allCases) func newSeriesGetDatabaseIdsAndLoadSeriesReturnsThem(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    // Another process already created a series: our local id 1 must map to its id 2 for the new key.
    var other = Batch(lastMessageSeq: 0)
    other.newSeries = [SeriesInfo(id: 7, key: "a/b/c", plant: "a", quantity: "c", kind: .gauge, unit: "")]
    try store.apply(other)
    let second = try fixture.reopen()
    var b = Batch(lastMessageSeq: 1)
    b.newSeries = [SeriesInfo(id: 1, key: "x/y/z", plant: "x", quantity: "z", kind: .gauge, unit: "")]
    b.readings = [Reading(series: 1, ts: t0, value: 1)]
    try second.apply(b)
    let series = try store.loadSeries()
    #expect(series.map(\.key) == ["a/b/c", "x/y/z"])
    let xyz = try #require(series.first { $0.key == "x/y/z" })
    #expect(xyz.id == 2)
    // Later batches keep mapping the local id.
    var c = Batch(lastMessageSeq: 2)
    c.readings = [Reading(series: 1, ts: t0 + 1, value: 2)]
    try second.apply(c)
    let recent = try allReadings(store)
    #expect(recent.map(\.series) == [2, 2] && recent.map(\.ts) == [t0, t0 + 1])
}

@Test(arguments: Backend.allCases) func restoreStateIsTheFrontierItsAnchorAndTheOpenWindow(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    var rs = (0..<20).map { Reading(series: energy.id, ts: t0 + Int64($0) * 60_000 + 1_000, value: Double($0)) }
    rs[13].quality = .bad
    try ingest(store, series: [energy], readings: rs)
    // Newest is 19m01s; lateness 5m → the frontier is 14m: minutes 0…13 are final,
    // the anchor is the newest good reading before it (12m01s; 13m01s is bad).
    let state = try store.ingestRestoreState()
    #expect(state.frontiers == [SeriesFrontier(series: 1, finalUntil: t0 + 14 * 60_000,
                                               anchor: SeriesFrontier.Anchor(ts: t0 + 12 * 60_000 + 1_000, value: 12))])
    #expect(state.open.map(\.ts) == (14..<20).map { t0 + Int64($0) * 60_000 + 1_000 })
    // 13 final minute rows (13m holds only a bad reading) + 6 open minutes.
    #expect(try store.read { (db: any StoreReader) throws(KlasterError) in try db.tableStats() }.bucketsByWidth[.minute] == 13)
    #expect(try store.stats().bucketsByWidth[.minute] == 19)
}

@Test(arguments: Backend.allCases) func failedBatchWritesNothing(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    var b = Batch(lastMessageSeq: 5)
    b.newSeries = [power]
    b.readings = [Reading(series: 2, ts: t0, value: 1)]
    try store.apply(b)   // valid
    // A NaN sum binds as NULL, which `sum REAL NOT NULL` rejects after the reading was inserted:
    // the whole batch must roll back.
    var bad = Batch(lastMessageSeq: 6)
    bad.readings = [Reading(series: 2, ts: t0 + 1, value: 1)]
    bad.buckets = [BucketRow(series: 2, width: .minute, start: t0, count: 1, sum: .nan, min: 1, max: 1, firstTs: t0, first: 1, lastTs: t0, last: 1, delta: nil)]
    #expect(throws: KlasterError.self) { try store.apply(bad) }
    #expect(try store.committedSeq() == 5)
    #expect(try store.stats().readings == 1)
}

@Test(arguments: Backend.allCases) func aReadingTheStoreAlreadyHoldsCountsAsDuplicateNotLate(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    var b = Batch(lastMessageSeq: 1)
    b.newSeries = [power]
    b.readings = [Reading(series: 2, ts: t0, value: 1)]
    try store.apply(b)
    // A redelivery beyond the lateness window: the aggregator calls it late; the store already has it.
    var again = Batch(lastMessageSeq: 2)
    again.lateReadings = [Reading(series: 2, ts: t0, value: 1), Reading(series: 2, ts: t0 - 1, value: 1)]
    again.counters.late = 2
    try store.apply(again)
    let s = try store.stats()
    #expect(s.readings == 2 && s.duplicates == 1 && s.late == 1)
}
