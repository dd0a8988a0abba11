import Dispatch
import Foundation
import KlasterCore
@testable import KlasterIngest
import Synchronization
import Testing

/// The SPSC ring under real contention: one producer `Thread`, one consumer
/// `Thread`, a small ring wrapped around tens of thousands of times, and both
/// sides stalling at random so that the ring runs both full and empty.
/// `make test-tsan` runs this suite under ThreadSanitizer.
@Suite("Concurrency: SPSC ring stress")
struct ConcurrencySPSCRingTests {
    /// A sequenced item with a check word: a torn or stale slot shows up as a
    /// wrong check or a wrong sequence number.
    struct Item: Sendable {
        var seq: UInt64
        var check: UInt64
        init(_ seq: UInt64) {
            self.seq = seq
            self.check = seq &* 0x9E37_79B9_7F4A_7C15 ^ 0xDEAD_BEEF
        }
        var isIntact: Bool { check == seq &* 0x9E37_79B9_7F4A_7C15 ^ 0xDEAD_BEEF }
    }

    /// What the consumer saw; written by the consumer thread only and read by
    /// the test after the consumer signalled `done` (the semaphore orders it).
    final class Tally: @unchecked Sendable {
        // @unchecked Sendable: mutated only by the consumer thread, read only
        // after `done.wait()` returned, which happens after `done.signal()`.
        var received: UInt64 = 0
        var outOfOrder = 0
        var corrupted = 0
        var firstBad: (expected: UInt64, got: UInt64)?
        let done = DispatchSemaphore(value: 0)
    }

    /// xorshift64*: cheap per-thread randomness for the stall pattern.
    struct Stalls {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        /// About one item in `every` stalls: a short spin, a yield or a 20 µs sleep.
        mutating func maybeStall(every: UInt64) {
            let r = next()
            guard r % every == 0 else { return }
            switch (r >> 32) % 3 {
            case 0: for _ in 0..<Int((r >> 40) % 2_000) { _ = next() }
            case 1: sched_yield()
            default: usleep(20)
            }
        }
    }

    func run(items: UInt64, capacity: Int, batch: Int, seed: UInt64) -> Tally {
        let ring = SPSCRing<Item>(capacity: capacity)
        let tally = Tally()
        let producerDone = DispatchSemaphore(value: 0)
        let deadline = ContinuousClock.now + .seconds(120)

        let consumer = Thread {
            var stalls = Stalls(state: seed ^ 0xA5A5)
            var buffer: [Item] = []
            buffer.reserveCapacity(batch)
            var expected: UInt64 = 0
            func check(_ item: Item) {
                if !item.isIntact { tally.corrupted += 1 }
                if item.seq != expected {
                    tally.outOfOrder += 1
                    if tally.firstBad == nil { tally.firstBad = (expected, item.seq) }
                }
                expected = item.seq &+ 1
                tally.received += 1
            }
            var backoff = RingBackoff()
            while tally.received < items && ContinuousClock.now < deadline {
                // Alternate single pops and batch pops.
                if stalls.next() & 1 == 0 {
                    if let item = ring.tryPop() {
                        check(item); backoff.reset()
                    } else { backoff.wait() }
                } else {
                    buffer.removeAll(keepingCapacity: true)
                    if ring.popMany(max: batch, into: &buffer) > 0 {
                        for item in buffer { check(item) }
                        backoff.reset()
                    } else { backoff.wait() }
                }
                stalls.maybeStall(every: 4_096)
            }
            tally.done.signal()
        }
        let producer = Thread {
            var stalls = Stalls(state: seed)
            for seq in 0..<items {
                ring.push(Item(seq))
                stalls.maybeStall(every: 4_096)
            }
            producerDone.signal()
        }
        consumer.start()
        producer.start()
        producerDone.wait()
        tally.done.wait()
        #expect(ring.occupancy == 0)
        return tally
    }

    @Test("every item arrives exactly once and in order through a 64-slot ring",
          arguments: [(capacity: 64, batch: 16, seed: UInt64(1)), (capacity: 2, batch: 3, seed: UInt64(7))])
    func exactlyOnceInOrder(capacity: Int, batch: Int, seed: UInt64) {
        let items: UInt64 = capacity == 64 ? 2_000_000 : 200_000
        let tally = run(items: items, capacity: capacity, batch: batch, seed: seed)
        #expect(tally.received == items)
        #expect(tally.outOfOrder == 0, "first mismatch: \(String(describing: tally.firstBad))")
        #expect(tally.corrupted == 0)
    }
}
