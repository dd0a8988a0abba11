import Testing
@testable import KlasterIngest

/// The "session taken over" pattern: dropped right after every connect.
struct SessionTakeoverTests {
    let second: Int64 = 1_000_000_000

    @Test func threeQuickLossesInARowAreReportedOnce() {
        var t = SessionTakeover()
        var reports: [Bool] = []
        var now: Int64 = 0
        for _ in 0..<6 {
            t.connected(at: now)
            now += second / 2
            reports.append(t.lost(at: now))
            now += second / 10
        }
        #expect(reports == [false, false, true, false, false, true])
    }

    @Test func aConnectionThatLastedBreaksThePattern() {
        var t = SessionTakeover()
        var now: Int64 = 0
        var reports: [Bool] = []
        for uptime in [1, 1, 60, 1, 1, 1] as [Int64] {
            t.connected(at: now)
            now += uptime * second
            reports.append(t.lost(at: now))
        }
        #expect(reports == [false, false, false, false, false, true])
        // A loss without a connect (a failed connect attempt) counts for nothing.
        #expect(t.lost(at: now) == false)
    }
}
