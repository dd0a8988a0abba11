import Foundation
@testable import KlasterCLI
import KlasterCore
import KlasterStore
import KlasterTestSupport
import Testing

/// `ImportCommitter`: batches commit in order, one at a time, and after a
/// failed one nothing more is committed and every later call throws its error.
@Suite struct ImportCommitterTests {
    static let series = SeriesInfo(id: 1, key: "p/m/active_power_kw", plant: "p", quantity: "active_power_kw", kind: .gauge, unit: "kW")
    static let t0: EpochMillis = 1_767_225_600_000

    static func batch(_ seq: UInt64, value: Double) -> Batch {
        var b = Batch(lastMessageSeq: seq)
        if seq == 1 { b.newSeries = [series] }
        b.readings = [Reading(series: series.id, ts: t0 + Int64(seq), value: value)]
        b.counters.messages = 1
        b.counters.readings = 1
        return b
    }

    static func postgres() throws -> PostgresStore {
        setenv("KLASTER_PG_PASSWORD", PostgresServer.password, 1)
        return try PostgresStore(url: try PostgresServer.shared().createDatabase(prefix: "commit"), passwordFile: nil)
    }

    @Test func batchesCommitInOrder() throws {
        let store = try Self.postgres()
        let committer = ImportCommitter(store: store)
        for seq in 1...20 { try committer.submit(Self.batch(UInt64(seq), value: Double(seq))) }
        try committer.finish()
        let s = try store.stats()
        #expect(s.readings == 20)
        #expect(s.committedSeq == 20)
    }

    /// A NaN value fails its batch on PostgreSQL (NOT NULL): the next submit
    /// throws that error and is not committed, and so does every call after.
    @Test func afterAFailedCommitNothingMoreIsCommitted() throws {
        let store = try Self.postgres()
        let committer = ImportCommitter(store: store)
        try committer.submit(Self.batch(1, value: 1))
        try committer.submit(Self.batch(2, value: .nan))
        let e = #expect(throws: KlasterError.self) { try committer.submit(Self.batch(3, value: 3)) }
        #expect(e?.code == .dataError)
        #expect(throws: KlasterError.self) { try committer.finish() }
        #expect(throws: KlasterError.self) { try committer.submit(Self.batch(4, value: 4)) }
        let s = try store.stats()
        #expect(s.readings == 1)
        #expect(s.committedSeq == 1)
    }
}
