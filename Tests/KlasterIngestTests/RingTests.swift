import KlasterCore
@testable import KlasterIngest
import Synchronization
import Testing

/// Single-threaded behaviour of the SPSC ring: capacity, FIFO order across
/// wrap-around, full/empty, batch pops, occupancy, and that elements left in
/// the ring are released with it.
@Suite("SPSC ring")
struct RingTests {
    @Test func fifoAcrossWrapAround() {
        let ring = SPSCRing<Int>(capacity: 8)
        var next = 0
        var expected = 0
        for round in 0..<100 {
            let n = round % 9
            for _ in 0..<n where ring.tryPush(next) { next += 1 }
            while let v = ring.tryPop() {
                #expect(v == expected)
                expected += 1
            }
        }
        #expect(expected == next)
        #expect(next > 300)
    }

    @Test func fullRingRejectsAndKeepsContents() {
        let ring = SPSCRing<Int>(capacity: 4)
        for i in 0..<4 { #expect(ring.tryPush(i)) }
        #expect(ring.occupancy == 4)
        #expect(!ring.tryPush(99))
        #expect(ring.tryPop() == 0)
        #expect(ring.tryPush(4))
        #expect(!ring.tryPush(5))
        var out: [Int] = []
        #expect(ring.popMany(max: 10, into: &out) == 4)
        #expect(out == [1, 2, 3, 4])
        #expect(ring.tryPop() == nil)
        #expect(ring.occupancy == 0)
    }

    @Test func popManyTakesAtMostMax() {
        let ring = SPSCRing<Int>(capacity: 16)
        for i in 0..<10 { ring.push(i) }
        var out: [Int] = []
        #expect(ring.popMany(max: 3, into: &out) == 3)
        #expect(ring.popMany(max: 3, into: &out) == 3)
        #expect(out == [0, 1, 2, 3, 4, 5])
        #expect(ring.occupancy == 4)
        #expect(ring.popMany(max: 100, into: &out) == 4)
        #expect(ring.popMany(max: 100, into: &out) == 0)
        #expect(out == Array(0..<10))
    }

    @Test func pushGivesUpWhenAskedWhileFull() {
        let ring = SPSCRing<Int>(capacity: 2)
        ring.push(1); ring.push(2)
        var polls = 0
        let pushed = ring.push(3, shouldGiveUp: { polls += 1; return polls >= 3 })
        #expect(!pushed)
        #expect(polls == 3)
        #expect(ring.occupancy == 2)
    }

    final class DeinitCounter: Sendable {
        let count = Atomic<Int>(0)
    }

    final class Element: Sendable {
        let counter: DeinitCounter
        init(_ c: DeinitCounter) { counter = c }
        deinit { counter.count.add(1, ordering: .relaxed) }
    }

    @Test func remainingElementsAreReleasedWithTheRing() {
        let counter = DeinitCounter()
        do {
            let ring = SPSCRing<Element>(capacity: 8)
            for _ in 0..<8 { #expect(ring.tryPush(Element(counter))) }
            for _ in 0..<3 { _ = ring.tryPop() }  // released at once
            for _ in 0..<2 { #expect(ring.tryPush(Element(counter))) }  // wraps around
            #expect(counter.count.load(ordering: .relaxed) == 3)
            #expect(ring.occupancy == 7)
        }
        #expect(counter.count.load(ordering: .relaxed) == 10)
    }
}
