import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Synchronization
import Testing

/// A reader (its own connection, as `klaster query` has) keeps reading while a
/// writer commits batches: WAL + busy timeout mean no SQLITE_BUSY, and every
/// read sees a committed prefix (counts never go down, buckets match counts).
@Test(arguments: Backend.allCases) func concurrencyReaderWhileWriterCommits(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let writer = fixture.store
    let reader = try fixture.reopen(create: false)
    let batches = 60
    let perBatch = 500
    let shared = WriterState()
    let (done, writerError) = (shared, shared)
    let thread = Thread {
        do {
            try ingest(writer, series: [power], readings: (0..<(batches * perBatch)).map {
                Reading(series: power.id, ts: t0 + Int64($0) * 1000, value: Double($0 % 10))
            }, chunk: perBatch)
        } catch let e as KlasterError {
            writerError.error.withLock { $0 = e }
        } catch {}
        // Release: the reader's final read must see every commit.
        done.done.store(true, ordering: .releasing)
    }
    thread.start()
    var reads = 0
    var last: Int64 = 0
    while !done.done.load(ordering: .acquiring) {
        let s = try reader.stats()
        #expect(s.readings >= last)
        #expect(s.readings % Int64(perBatch) == 0, "a read saw half a batch")
        last = s.readings
        reads += 1
    }
    #expect(writerError.error.withLock { $0 } == nil)
    #expect(try reader.stats().readings == Int64(batches * perBatch))
    let total = try reader.buckets(seriesGlob: ["**"], from: t0, to: t0 + 86_400_000, every: 86_400_000)
    #expect(total.first?.row.count == Int64(batches * perBatch))
    #expect(reads > 0)
}

/// What the writer thread shares with the test: a done flag and its error.
private final class WriterState: Sendable {
    let done = Atomic<Bool>(false)
    let error = Mutex<KlasterError?>(nil)
}
