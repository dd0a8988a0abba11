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
        let r1 = t.receive(2, seq: 2, now: 100, timeout: 2000)
        #expect(r1.messages == [])
        let r2 = t.receive(3, seq: 3, now: 150, timeout: 2000)
        #expect(r2.messages == [])
        #expect(t.gapSince == 100)
        let r = t.receive(1, seq: 1, now: 200, timeout: 2000)
        #expect(r.messages == [1, 2, 3] && !r.gapExpired)
        #expect(t.gapSince == nil && t.expected == 4)
    }

    @Test func gapExpiresAfterTheTimeout() {
        var t = SeqTracker<Int>()
        _ = t.restart(birthSeq: 0)
        _ = t.receive(3, seq: 3, now: 1000, timeout: 2000)
        let r3 = t.expire(now: 2999, timeout: 2000)
        #expect(r3.messages == [])
        let r = t.expire(now: 3000, timeout: 2000)
        #expect(r.messages == [3] && r.gapExpired && r.missing == [1, 2])
        #expect(t.expected == 4)
        let r4 = t.receive(4, seq: 4, now: 3001, timeout: 2000)
        #expect(r4.messages == [4])
    }

    @Test func behindIsProcessedAtOnce() {
        var t = SeqTracker<Int>()
        _ = t.restart(birthSeq: 10)
        _ = t.receive(11, seq: 11, now: 0, timeout: 2000)
        let r5 = t.receive(9, seq: 9, now: 0, timeout: 2000)
        #expect(r5.messages == [9])
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
        let r6 = t.restart(birthSeq: 0)
        #expect(r6 == [4])
        #expect(t.expected == 1 && t.pendingCount == 0)
    }

    @Test func noSequenceBeforeBirth() {
        var t = SeqTracker<Int>()
        let r7 = t.receive(7, seq: 7, now: 0, timeout: 2000)
        #expect(r7.messages == [7])
        #expect(t.expected == nil)
    }

    @Test func rebirthPolicy() {
        var p = RebirthPolicy(interval: 5000)
        let r8 = p.shouldRequest(node: "g/e", now: 0)
        #expect(r8)
        let r9 = p.shouldRequest(node: "g/e", now: 4999)
        #expect(!r9)
        let r10 = p.shouldRequest(node: "g/f", now: 4999)
        #expect(r10)
        let r11 = p.shouldRequest(node: "g/e", now: 5000)
        #expect(r11)
    }
}
