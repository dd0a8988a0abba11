import Foundation
import KlasterStore
import KlasterTestSupport
import Testing

extension IngestIntegrationTests {
    /// Distinct topics beyond `ingest.max_series` are dead-lettered
    /// `too_many_series`, and every message is accounted for.
    @Test func topicsBeyondMaxSeriesAreDeadLettered() throws {
        let h = try IngestHarness(extraConfig: "[ingest]\nmax_series = 3\n")
        try h.registerSession()
        let t0 = minuteAligned(minutesAgo: 2)
        let daemon = try h.spawnIngest()
        try h.publish((0..<10).map { ("nextgen/p/m\($0)/temperature_c", "{\"ts\":\(t0),\"v\":\($0)}") })
        #expect(waitUntil(timeout: .seconds(30)) { ((try? h.stats())??.messages ?? 0) == 10 }, "stderr: \(daemon.stderr)")
        #expect(daemon.terminate() == 0)
        let stats = try #require(try h.stats())
        #expect(stats.messages == 10)
        #expect(stats.readings == 3)
        #expect(stats.series == 3)
        #expect(stats.deadLettersByReason == ["too_many_series": 7])
    }
}
