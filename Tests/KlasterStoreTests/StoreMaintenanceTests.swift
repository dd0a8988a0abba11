import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

@Test(arguments: Backend.allCases) func rebuildFoldsInLateReadingsToTheInOrderResult(_ backend: Backend) throws {
    let rs = (0..<30).map { Reading(series: energy.id, ts: t0 + Int64($0) * 20_000, value: 100 + Double($0 * $0)) }
    // Live: reading 5 arrives last, far beyond a 1 s lateness → stored raw, counted late.
    var shuffled = rs
    let late = shuffled.remove(at: 5)
    shuffled.append(late)
    let live = try StoreFixture(backend)
    let liveStore = live.store
    try ingest(liveStore, series: [energy], readings: shuffled, chunk: 7, lateness: 1_000)
    #expect(try liveStore.stats().late == 1)
    let ordered = try StoreFixture(backend)
    let orderedStore = ordered.store
    try ingest(orderedStore, series: [energy], readings: rs, chunk: 7, lateness: 1_000)
    let span = (from: t0, to: t0 + 86_400_000)
    let before = try liveStore.buckets(seriesGlob: ["**"], from: span.from, to: span.to, every: 60_000)
    let expected = try orderedStore.buckets(seriesGlob: ["**"], from: span.from, to: span.to, every: 60_000)
    #expect(before != expected)
    let replayed = try liveStore.rebuild(from: t0 + 60_000, to: t0 + 120_000)
    // Widened to the whole day, stopping at the frontier (newest 9m40s − 1 s
    // lateness → 9m): minutes 0…8 are final, the last 3 readings are open.
    #expect(replayed == 27)
    for w: Int64 in [60_000, 900_000, 3_600_000, 86_400_000] {
        let got = try liveStore.buckets(seriesGlob: ["**"], from: span.from, to: span.to, every: w)
        let want = try orderedStore.buckets(seriesGlob: ["**"], from: span.from, to: span.to, every: w)
        #expect(got.map(\.row) == want.map(\.row), "width \(w)")
    }
}

@Test(arguments: Backend.allCases) func rebuildSeedsTheFirstDeltaWithTheReadingBeforeTheRange(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    let day = Int64(86_400_000)
    let rs = [Reading(series: energy.id, ts: t0 + day - 1000, value: 50), Reading(series: energy.id, ts: t0 + day + 1000, value: 80)]
    try ingest(store, series: [energy], readings: rs)
    let before = try store.buckets(seriesGlob: ["**"], from: t0 + day, to: t0 + 2 * day, every: day)
    try store.rebuild(from: t0 + day, to: t0 + 2 * day)
    let after = try store.buckets(seriesGlob: ["**"], from: t0 + day, to: t0 + 2 * day, every: day)
    #expect(before.map(\.row.delta) == [30])
    #expect(after.map(\.row) == before.map(\.row))
}

@Test(arguments: Backend.allCases) func retentionDeletesOnlyExpiredRowsInSmallBatches(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    let rs = (0..<2_000).map { Reading(series: power.id, ts: t0 + Int64($0) * 60_000, value: 1) }
    try ingest(store, series: [power], readings: rs)
    let now = t0 + 2_000 * 60_000
    // Newest 1999m, lateness 5m: minutes 0…1993 are final, 1994…1999 open.
    let minutes1m = try store.read { (db: any StoreReader) throws(KlasterError) in try db.tableStats() }.bucketsByWidth[.minute]
    #expect(minutes1m == 1_994)
    #expect(try store.stats().bucketsByWidth[.minute] == 2_000)   // with the open window
    let deleted = try store.deleteExpired(now: now, rawRetention: 1_000 * 60_000, bucketRetention: [60_000: 500 * 60_000], batchSize: 64)
    #expect(deleted == 1_000 + 1_500)
    let recent = try allReadings(store)
    #expect(recent.count == 1_000 && recent.first?.ts == now - 1_000 * 60_000)
    #expect(try store.stats().bucketsByWidth[.minute] == 500)
    #expect(try store.stats().bucketsByWidth[.hour] == 34)   // no retention configured for 1h
}
