import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

/// Shared mode's store side (`WriterRole`, `StoreWriter.finalizeShared`), on
/// PostgreSQL: two writers store raw readings of the same series alternately,
/// the finalising step computes the buckets from both, lateness is judged
/// against the stored frontier, and only one process at a time finalises.
@Suite struct SharedFinalizeTests {
    static let lateness: Int64 = 60_000
    let quantities = QuantityTable()

    /// A counter (rising by 2, one meter replacement) and a gauge, one reading
    /// a second for 5 minutes from `t0`; every value a multiple of 1/4, so the
    /// sums do not depend on the order of addition.
    static let readings: [Reading] = (0..<300).flatMap { i -> [Reading] in
        let ts = t0 + Int64(i) * 1_000
        return [Reading(series: energy.id, ts: ts, value: i < 200 ? 1_000 + Double(i) * 2 : Double(i - 200)),
                Reading(series: power.id, ts: ts, value: Double(i % 13) / 4)]
    }

    /// Raw-only batches of every other reading from each of two writers.
    private func ingestShared(_ writers: [any Store], _ readings: [Reading]) throws {
        for (w, store) in writers.enumerated() {
            let agg = Aggregator(widths: BucketWidth.defaults, allowedLateness: Self.lateness, quantities: quantities, rawOnly: true)
            agg.register(energy)
            agg.register(power)
            for (i, r) in readings.enumerated() where i / 2 % writers.count == w {
                agg.noteMessage()
                agg.add(r)
            }
            let batch = agg.takeBatch(lastMessageSeq: 1)
            #expect(batch.role == .sharedIngest && batch.buckets.isEmpty && batch.frontiers.isEmpty)
            try store.apply(batch)
        }
    }

    private func finalize(_ store: any Store, idle: @escaping @Sendable ([SeriesID: EpochMillis]) -> [SeriesID] = { _ in [] })
        throws(KlasterError) -> SharedFinalizeResult? {
        try store.write { (db: any StoreWriter) throws(KlasterError) -> SharedFinalizeResult? in
            try db.finalizeShared(widths: BucketWidth.defaults, allowedLateness: Self.lateness, now: t0, idle: idle)
        }
    }

    private func minutes(_ store: any Store) throws -> [String] {
        try store.buckets(seriesGlob: ["**"], from: t0, to: t0 + 600_000, every: 60_000).map { "\($0.series.key) \($0.row)" }
    }

    @Test func twoRawWritersFinaliseToTheSoleWritersBuckets() throws {
        let reference = try StoreFixture(.sqlite)
        try ingest(reference.store, series: [energy, power], readings: Self.readings, lateness: Self.lateness)
        let expected = try minutes(reference.store)
        #expect(expected.count == 10)

        let shared = try StoreFixture(.postgres)
        let writers = [shared.store, try shared.reopen()]
        try ingestShared(writers, Self.readings)
        #expect(try minutes(shared.store) == expected)   // all open: computed from raw rows
        let step = try #require(try finalize(writers[1]))
        // The lateness rule: final up to the minute 60 s before the newest reading (t0 + 299 s).
        #expect(step.frontiers == 2)
        let frontiers = try shared.store.read { (db: any StoreReader) throws(KlasterError) in try db.frontiers() }
        #expect(frontiers.values.map(\.finalUntil) == [t0 + 180_000, t0 + 180_000])
        #expect(try minutes(shared.store) == expected)
        #expect(step.newest == [energy.id: t0 + 299_000, power.id: t0 + 299_000])

        // Older than the stored frontier: late, decided by the insert.
        try ingestShared([writers[0]], [Reading(series: power.id, ts: t0 + 179_500, value: 99)])
        #expect(try shared.store.stats().late == 1)
        #expect(try minutes(shared.store) == expected)

        // The idle rule closes everything; the answer stays the same.
        let closing = try #require(try finalize(writers[0]) { Array($0.keys) })
        #expect(closing.frontiers == 2 && closing.newest.isEmpty)
        #expect(try shared.store.read { (db: any StoreReader) throws(KlasterError) in try db.openFrom() } == nil)
        #expect(try minutes(shared.store) == expected)
        #expect(try shared.store.stats().readings == 601)
    }

    /// Readings stored after the step, for series the step closed (at a minute
    /// boundary, so none is late), lower the open-window bound again: readers
    /// see them at once.
    @Test func readingsAfterTheStepAreInTheOpenWindow() throws {
        let shared = try StoreFixture(.postgres)
        let writers = [shared.store, try shared.reopen()]
        try ingestShared(writers, Array(Self.readings[..<240]))
        _ = try #require(try finalize(writers[0]) { Array($0.keys) })
        #expect(try shared.store.read { (db: any StoreReader) throws(KlasterError) in try db.openFrom() } == nil)
        try ingestShared(writers, Array(Self.readings[240...]))
        let reference = try StoreFixture(.sqlite)
        try ingest(reference.store, series: [energy, power], readings: Self.readings, lateness: Self.lateness)
        #expect(try minutes(shared.store) == minutes(reference.store))
    }

    /// While one process holds the step's locks, another's step does nothing.
    @Test func oneProcessFinalisesAtATime() throws {
        let shared = try StoreFixture(.postgres)
        let other = try shared.reopen()
        try ingestShared([shared.store, other], Self.readings)
        let skipped = try shared.store.write { (db: any StoreWriter) throws(KlasterError) -> Bool in
            #expect(try db.lockForSharedFinalize())
            return try finalize(other) == nil
        }
        #expect(skipped)
        #expect(try finalize(other) != nil)
    }
}
