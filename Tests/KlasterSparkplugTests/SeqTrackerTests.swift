import Testing
import KlasterSparkplug

@Suite struct SeqTrackerTests {
    @Test func inOrderAcrossTheWrap() {
        var t = SeqTracker<Int>()
        _ = t.restart(birthSeq: 253)
        var got: [Int] = []
        for s in [254, 255, 0, 1] as [UInt8] {
            got += t.receive(Int(s), seq: s, now: 0, timeout: 2000).messages
        }
        #expect(got == [254, 255, 0, 1])
        #expect(t.expected == 2)
    }

    @Test func reorderedWithinTheTimeout() {
        var t = SeqTracker<Int>()
        _ = t.restart(birthSeq: 0)
        #expect(t.receive(2, seq: 2, now: 100, timeout: 2000).messages == [])
        #expect(t.receive(3, seq: 3, now: 150, timeout: 2000).messages == [])
        #expect(t.gapSince == 100)
        let r = t.receive(1, seq: 1, now: 200, timeout: 2000)
        #expect(r.messages == [1, 2, 3] && !r.gapExpired)
        #expect(t.gapSince == nil && t.expected == 4)
    }

    @Test func gapExpiresAfterTheTimeout() {
        var t = SeqTracker<Int>()
        _ = t.restart(birthSeq: 0)
        _ = t.receive(3, seq: 3, now: 1000, timeout: 2000)
        #expect(t.expire(now: 2999, timeout: 2000).messages == [])
        let r = t.expire(now: 3000, timeout: 2000)
        #expect(r.messages == [3] && r.gapExpired && r.missing == [1, 2])
        #expect(t.expected == 4)
        #expect(t.receive(4, seq: 4, now: 3001, timeout: 2000).messages == [4])
    }

    @Test func behindIsProcessedAtOnce() {
        var t = SeqTracker<Int>()
        _ = t.restart(birthSeq: 10)
        _ = t.receive(11, seq: 11, now: 0, timeout: 2000)
        #expect(t.receive(9, seq: 9, now: 0, timeout: 2000).messages == [9])
        #expect(t.expected == 12)
    }

    @Test func fullBufferReleases() {
        var t = SeqTracker<Int>(capacity: 3)
        _ = t.restart(birthSeq: 0)
        _ = t.receive(5, seq: 5, now: 0, timeout: 2000)
        _ = t.receive(6, seq: 6, now: 0, timeout: 2000)
        let r = t.receive(7, seq: 7, now: 0, timeout: 2000)
        #expect(r.messages == [5, 6, 7] && r.gapExpired && r.missing == [1, 2, 3, 4])
    }

    @Test func restartReturnsHeldMessages() {
        var t = SeqTracker<Int>()
        _ = t.restart(birthSeq: 0)
        _ = t.receive(4, seq: 4, now: 0, timeout: 2000)
        #expect(t.restart(birthSeq: 0) == [4])
        #expect(t.expected == 1 && t.pendingCount == 0)
    }

    @Test func noSequenceBeforeBirth() {
        var t = SeqTracker<Int>()
        #expect(t.receive(7, seq: 7, now: 0, timeout: 2000).messages == [7])
        #expect(t.expected == nil)
    }

    @Test func rebirthPolicy() {
        var p = RebirthPolicy(interval: 5000)
        #expect(p.shouldRequest(node: "g/e", now: 0))
        #expect(!p.shouldRequest(node: "g/e", now: 4999))
        #expect(p.shouldRequest(node: "g/f", now: 4999))
        #expect(p.shouldRequest(node: "g/e", now: 5000))
    }
}
