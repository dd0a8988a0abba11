import Foundation
import KlasterCore
import KlasterStore
import KlasterTestSupport
import Testing

extension IngestIntegrationTests {
    /// MQTT 5 with a session expiry interval and a shared subscription
    /// (`$share/<group>/…`): the daemon connects, receives and commits.
    @Test func mqtt5WithSharedSubscription() throws {
        let h = try IngestHarness(mqttExtra: ["protocol = 5", #"session_expiry = "1h""#, #"shared_group = "klaster""#])
        let daemon = try h.spawnIngest(["--max-messages", "4"])
        #expect(waitUntil(timeout: .seconds(20)) { daemon.stderr.contains("subscribed") }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("$share/klaster/nextgen/#"))
        let t0 = minuteAligned(minutesAgo: 1)
        try h.publish((0..<4).map { ("nextgen/p/m/temperature_c", #"{"ts":\#(t0 + Int64($0) * 1000),"v":\#($0)}"#) })
        #expect(daemon.wait(timeout: .seconds(20)) == 0, "\(daemon.stderr)")
        let stats = try #require(try h.stats())
        #expect(stats.messages == 4)
        #expect(stats.readings == 4)
    }
}
