import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

/// The raw readings write of `Store.apply`, on both stores: every value comes
/// back bit for bit, and a reading whose (series, ts) is already stored — in
/// the database or earlier in the same batch — is skipped and counted as a
/// duplicate, the first one kept. (PostgreSQL sends a batch as one binary
/// COPY and falls back to `INSERT … ON CONFLICT DO NOTHING` when a row is
/// already there; these tests go down both paths.)
@Suite struct ReadingsWriteTests {
    /// Values whose text or binary image is easy to get wrong.
    static let values: [Double] = [
        0, 1, -1, 0.1 + 0.2, .pi, -123_456.789, 1e22, .leastNonzeroMagnitude, 2.2250738585072014e-308, -1.7976931348623157e308,
        .greatestFiniteMagnitude, .infinity, -.infinity, 4_503_599_627_370_497, -2.5e-7,
    ]
    /// Sequence numbers whose Int64 image is negative, and none.
    static let seqs: [UInt64?] = [nil, 0, 1, UInt64(Int64.max), 1 << 63, UInt64.max]

    /// `n` readings of `energy`, one per millisecond from `t0 + offset`, cycling through `values`, `seqs` and every quality.
    static func readings(_ n: Int, offset: Int64 = 0) -> [Reading] {
        (0..<n).map { i in
            Reading(series: energy.id, ts: t0 + offset + Int64(i), value: values[i % values.count], seq: seqs[i % seqs.count],
                    quality: Quality.allCases[i % Quality.allCases.count])
        }
    }

    static func batch(_ seq: UInt64, _ readings: [Reading], late: [Reading] = [], newSeries: [SeriesInfo] = []) -> Batch {
        var b = Batch(lastMessageSeq: seq)
        b.newSeries = newSeries
        b.readings = readings
        b.lateReadings = late
        b.counters.messages = Int64(readings.count + late.count)
        b.counters.readings = Int64(readings.count + late.count)
        b.counters.late = Int64(late.count)
        return b
    }

    static func same(_ a: [Reading], _ b: [Reading]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.series == y.series && x.ts == y.ts && x.value.bitPattern == y.value.bitPattern && x.seq == y.seq && x.quality == y.quality
        }
    }

    @Test(arguments: Backend.allCases) func valuesSeqsAndQualitiesRoundTripExactly(_ backend: Backend) throws {
        let f = try StoreFixture(backend)
        let rs = Self.readings(Self.values.count * Self.seqs.count)
        try f.store.apply(Self.batch(1, rs, newSeries: [energy]))
        #expect(Self.same(try allReadings(f.store), rs))
        let s = try f.store.stats()
        #expect(s.readings == Int64(rs.count) && s.duplicates == 0 && s.committedSeq == 1)
    }

    /// 30,000 rows: the COPY data (≈ 1.7 MB) goes to the server in several pieces.
    @Test(arguments: Backend.allCases) func aLargeBatchIsStoredWhole(_ backend: Backend) throws {
        let f = try StoreFixture(backend)
        let rs = Self.readings(30_000)
        try f.store.apply(Self.batch(1, rs, newSeries: [energy]))
        #expect(Self.same(try allReadings(f.store), rs))
        #expect(try f.store.stats().readings == 30_000)
    }

    @Test(arguments: Backend.allCases) func storedReadingsAreSkippedAndCountedAsDuplicatesTheFirstKept(_ backend: Backend) throws {
        let f = try StoreFixture(backend)
        let first = Self.readings(200)
        try f.store.apply(Self.batch(1, first, newSeries: [energy]))
        // 100 of them again with other values, then 50 new ones.
        let again = first.prefix(100).map { Reading(series: $0.series, ts: $0.ts, value: $0.value + 1, seq: 7) }
        let new = Self.readings(50, offset: 1_000)
        try f.store.apply(Self.batch(2, again + new))
        #expect(Self.same(try allReadings(f.store), first + new))
        let s = try f.store.stats()
        #expect(s.readings == 250)
        #expect(s.duplicates == 100)
        #expect(s.committedSeq == 2)
    }

    @Test(arguments: Backend.allCases) func aDuplicateWithinOneBatchKeepsTheFirst(_ backend: Backend) throws {
        let f = try StoreFixture(backend)
        let a = Reading(series: energy.id, ts: t0, value: 1), b = Reading(series: energy.id, ts: t0, value: 2)
        let c = Reading(series: energy.id, ts: t0 + 1, value: 3)
        try f.store.apply(Self.batch(1, [a, b, c], newSeries: [energy]))
        #expect(Self.same(try allReadings(f.store), [a, c]))
        let s = try f.store.stats()
        #expect(s.readings == 2 && s.duplicates == 1)
    }

    @Test(arguments: Backend.allCases) func lateReadingsAreStoredAndALateDuplicateIsNotLate(_ backend: Backend) throws {
        let f = try StoreFixture(backend)
        let onTime = Self.readings(10, offset: 60_000)
        try f.store.apply(Self.batch(1, onTime, late: Self.readings(5), newSeries: [energy]))
        var s = try f.store.stats()
        #expect(s.readings == 15 && s.late == 5 && s.duplicates == 0)
        // Late again: 2 of the stored late ones and 1 new.
        try f.store.apply(Self.batch(2, [], late: Array(Self.readings(5).suffix(2)) + Self.readings(1, offset: 30_000)))
        s = try f.store.stats()
        #expect(s.readings == 16 && s.late == 6 && s.duplicates == 2)
        #expect(try allReadings(f.store).count == 16)
    }
}

/// What the PostgreSQL COPY path leaves in the table itself.
@Suite struct PostgresReadingsCopyTests {
    @Test func theLateFlagIsStoredAndAFallbackLeavesTheTransactionUsable() throws {
        let server = try PostgresServer.shared()
        setenv("KLASTER_PG_PASSWORD", PostgresServer.password, 1)
        let url = try server.createDatabase()
        let db = String(url.split(separator: "/").last!)
        let store = try PostgresStore(url: url, passwordFile: nil)
        try store.apply(ReadingsWriteTests.batch(1, ReadingsWriteTests.readings(4, offset: 60_000), late: ReadingsWriteTests.readings(3),
                                                 newSeries: [energy]))
        #expect(try server.admin("SELECT late, count(*) FROM readings GROUP BY late ORDER BY late", database: db) == "f|4\nt|3\n")
        // A duplicate sends the batch down the INSERT path inside the same
        // transaction; the dead letter and the counters after it still commit.
        var b = ReadingsWriteTests.batch(2, ReadingsWriteTests.readings(5, offset: 60_000), late: ReadingsWriteTests.readings(1, offset: 10))
        b.deadLetters = [DeadLetter(topic: "t", payload: [1], receivedAt: t0, reason: .badTopic, detail: "d")]
        try store.apply(b)
        #expect(try server.admin("SELECT late, count(*) FROM readings GROUP BY late ORDER BY late", database: db) == "f|5\nt|4\n")
        #expect(try store.deadLetters(since: nil).count == 1)
        let s = try store.stats()
        #expect(s.readings == 9 && s.duplicates == 4 && s.committedSeq == 2)
    }

    /// A NaN value goes as NULL and fails the NOT NULL column: the batch is
    /// refused whole (65), nothing of it stored.
    @Test func aNaNValueFailsTheWholeBatch() throws {
        let server = try PostgresServer.shared()
        setenv("KLASTER_PG_PASSWORD", PostgresServer.password, 1)
        let store = try PostgresStore(url: try server.createDatabase(), passwordFile: nil)
        try store.apply(ReadingsWriteTests.batch(1, ReadingsWriteTests.readings(3), newSeries: [energy]))
        let bad = ReadingsWriteTests.readings(3, offset: 100) + [Reading(series: energy.id, ts: t0 + 200, value: .nan)]
        let e = #expect(throws: KlasterError.self) { try store.apply(ReadingsWriteTests.batch(2, bad)) }
        #expect(e?.code == .dataError)
        #expect(try allReadings(store).count == 3)
        #expect(try store.stats().committedSeq == 1)
    }
}
