import Foundation
import KlasterCore
import KlasterStore
import KlasterIngest
import KlasterMQTT
import KlasterTestSupport
import Testing

extension IngestIntegrationTests {
    /// A flood of hostile payloads: the daemon stays up, and every message is
    /// accounted for (readings + dead letters = messages) in `klaster stats`.
    @Test func hostileFloodIsAllAccountedFor() throws {
        let h = try IngestHarness()
        try h.registerSession()
        let t0 = minuteAligned(minutesAgo: 2)
        var payloads: [[UInt8]] = [
            [],                                                       // empty
            Array(repeating: UInt8(ascii: "9"), count: 300_000),       // over max_payload_bytes
            [0xff, 0xfe, 0x00, 0x80, 0xc3],                            // invalid UTF-8
            Array(String(repeating: "[", count: 10_000).utf8),          // absurd nesting
            Array(#"{"ts":1,"v":NaN}"#.utf8),
            Array(#"{"ts":1,"v":1e999}"#.utf8),
            Array(#"{"ts":"yesterday","v":1}"#.utf8),
            Array(#"{"ts":\#(t0),"v":"12"}"#.utf8),
            Array(#"{"ts":99999999999999999999999,"v":1}"#.utf8),
            Array(#"{"ts":\#(t0 + 86_400_000 * 365),"v":1}"#.utf8),    // far future
            Array(#"{"ts":\#(t0),"v":1,"q":"excellent"}"#.utf8),
            Array("m,plant=x field= 12".utf8),                          // broken line protocol
            Array("\u{0}\u{0}\u{0}".utf8),
            Array(#"[{"ts":\#(t0),"v":1},{"ts":"x"}]"#.utf8),
        ]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 { payloads.append((0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        // A few good ones in between, so acceptance is tested too.
        let good = (0..<20).map { Array(#"{"ts":\#(t0 + Int64($0) * 1000),"v":\#($0)}"#.utf8) }
        let p = try MQTTPublisher(url: h.broker.url)
        for (i, payload) in payloads.enumerated() {
            try p.publish(topic: "nextgen/evil/m\(i % 5)/active_power_kw", payload: payload, qos: 1)
        }
        for payload in good { try p.publish(topic: "nextgen/good/m1/active_power_kw", payload: payload, qos: 1) }
        for bad in ["nextgen/x", "nextgen/a/b/c/d/e", "nextgen/🙂/m/q"] { try p.publish(topic: bad, payload: "1", qos: 1) }
        try p.flush(timeout: .seconds(30))
        p.disconnect()
        let total = payloads.count + good.count + 3

        let r = try h.runIngest(["--max-messages", "\(total)"])
        #expect(r.status == 0, "\(r.stderr)")
        let stats = try #require(try h.stats())
        #expect(stats.messages == Int64(total))
        #expect(stats.readings >= Int64(good.count))
        // Every message is either a dead letter or contributed readings (one reading per good message here,
        // and random bytes that happen to parse as a bare number count as a reading too).
        #expect(stats.deadLetters + stats.readings + stats.duplicates >= Int64(total))
        #expect(stats.deadLetters >= Int64(payloads.count - 20))
        #expect(stats.deadLettersByReason["too_large"] == 1)

        let st = try KlasterBinary.run(["stats", "--db", h.dbPath, "--format", "json"])
        #expect(st.status == 0, "\(st.stderr)")
        #expect(st.stdout.contains(#""messages":\#(total)"#), "\(st.stdout)")
    }
}
