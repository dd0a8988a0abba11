import Foundation
import KlasterCore
import KlasterIngest
import KlasterMQTT
import KlasterStore
import KlasterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A stream of `series × perSeries` distinct readings, 1 s apart, the
/// counter rising by 1 per reading; all within one lateness window.
private func stream(series: Int, perSeries: Int, t0: EpochMillis) -> [(topic: String, payload: String)] {
    var out: [(topic: String, payload: String)] = []
    for i in 0..<perSeries {
        for s in 0..<series {
            out.append(("nextgen/plant\(s % 2)/m\(s)/active_energy_kwh", #"{"ts":\#(t0 + Int64(i) * 1000),"v":\#(1000 + i)}"#))
        }
    }
    return out
}

extension IngestIntegrationTests {
    /// SIGKILL the daemon several times mid-stream and restart it: every
    /// reading ends up stored exactly once and every bucket count is exact.
    /// The stream waits as a backlog in the persistent session, so each kill
    /// lands while the daemon is draining it: messages read, some committed,
    /// some not — an acknowledgement sent before its commit would lose them.
    @Test func sigkillMidStreamLosesNothingAndCountsNothingTwice() throws {
        let h = try IngestHarness()
        try h.registerSession()
        let series = 40, perSeries = 250
        let t0 = minuteAligned(minutesAgo: 4)
        let total = series * perSeries
        try h.publish(stream(series: series, perSeries: perSeries, t0: t0))
        var killsMidDrain = 0
        // A 20 ms pause before each commit (fault injection) widens the
        // read-but-not-yet-committed window the kills are aimed at.
        let slowCommits = ["KLASTER_FAULT_COMMIT_DELAY_MS": "20"]
        for round in 1...3 {
            let daemon = try h.spawnIngest(environment: slowCommits)
            let target = Int64(total * [0, 5, 15, 30][round] / 100)
            let progressed = waitUntil(timeout: .seconds(60), interval: .milliseconds(5)) { ((try? h.stats())??.messages ?? 0) >= target }
            #expect(progressed, "round \(round): daemon did not commit \(target) messages; stderr: \(daemon.stderr)")
            daemon.signal(SIGKILL)
            #expect(daemon.wait(timeout: .seconds(10)) == 128 + SIGKILL)
            if ((try? h.stats())??.readings ?? 0) < Int64(total) { killsMidDrain += 1 }
        }
        #expect(killsMidDrain == 3, "the backlog drained before a kill")
        // The last run drains the rest, then stops gracefully.
        let daemon = try h.spawnIngest()
        let drained = waitUntil(timeout: .seconds(60)) {
            guard let s = try? h.stats() else { return false }
            return s.readings == Int64(total)
        }
        #expect(drained, "stderr: \(daemon.stderr)")
        #expect(daemon.terminate() == 0)

        let stats = try #require(try h.stats())
        print("sigkill test: messages \(stats.messages), readings \(stats.readings), duplicates \(stats.duplicates), late \(stats.late)")
        #expect(stats.readings == Int64(total))          // each reading accepted exactly once
        #expect(stats.messages >= Int64(total))          // redeliveries are messages too
        #expect(stats.messages == stats.readings + stats.duplicates + stats.late)
        #expect(stats.deadLetters == 0)
        let buckets = try h.buckets("**", from: t0, to: t0 + Int64(perSeries) * 1000 + 60_000, every: 60_000)
        // Exact per-minute counts: readings i with t0 + i·1000 in each minute, per series.
        var expected: [String: Int64] = [:]
        for s in 0..<series {
            for i in 0..<perSeries { expected["plant\(s % 2)/m\(s)/active_energy_kwh@\((t0 + Int64(i) * 1000) / 60_000)", default: 0] += 1 }
        }
        var got: [String: Int64] = [:]
        for b in buckets { got["\(b.series.key)@\(b.row.start / 60_000)"] = b.row.count }
        #expect(got == expected)
        // Counter deltas: +1 per consecutive pair, so a series' total delta is perSeries − 1.
        var deltas: [String: Double] = [:]
        for b in buckets { deltas[b.series.key, default: 0] += b.row.delta ?? 0 }
        #expect(deltas.values.allSatisfy { $0 == Double(perSeries - 1) }, "\(deltas)")
    }

    /// The broker stops and restarts mid-stream (persistence on): the daemon
    /// reconnects on its own and nothing is lost.
    @Test func brokerRestartMidStreamLosesNothing() throws {
        let h = try IngestHarness()
        try h.registerSession()
        let t0 = minuteAligned(minutesAgo: 4)
        let all = stream(series: 4, perSeries: 100, t0: t0)
        let daemon = try h.spawnIngest()
        try h.publish(Array(all[..<200]))
        #expect(waitUntil(timeout: .seconds(30)) { ((try? h.stats())??.readings ?? 0) == 200 })
        h.broker.stop()
        // The daemon notices the broker is gone (it logs the state change once).
        #expect(waitUntil(timeout: .seconds(10)) { daemon.stderr.contains("broker unavailable") })
        try h.broker.start()
        try h.publish(Array(all[200...]))
        let done = waitUntil(timeout: .seconds(30)) { ((try? h.stats())??.readings ?? 0) == 400 }
        #expect(done, "stderr: \(daemon.stderr)")
        #expect(daemon.terminate() == 0)
        let stats = try #require(try h.stats())
        #expect(stats.readings == 400)
        // The broker may stop between our commit and its receipt of the PUBACKs
        // (at-least-once): it then redelivers, and those count as duplicates.
        #expect(stats.messages == stats.readings + stats.duplicates)
        #expect(daemon.stderr.contains("broker unavailable"))
        #expect(daemon.stderr.components(separatedBy: "connected to broker").count - 1 >= 2)
    }
}
