import Foundation
import KlasterCore
import KlasterStore
import KlasterTestSupport
import Testing

/// Integration tests of `klaster ingest` against a real mosquitto and the
/// real binary. Serialized: each starts its own broker and daemon, and the
/// machine has two cores.
@Suite(.serialized) struct IngestIntegrationTests {
    /// Duplicates, out-of-order readings, a counter rollover, an array payload
    /// and malformed messages give exactly the expected buckets and totals,
    /// with the buffered socket I/O beneath libmosquitto and without it.
    @Test(arguments: [true, false])
    func endToEndStreamGivesExactBuckets(bufferedIO: Bool) throws {
        let h = try IngestHarness(mqttExtra: ["buffered_io = \(bufferedIO)"], extraConfig: """
        [quantities.active_energy_kwh]
        rollover = 1000
        """, quantities: QuantityTable(overrides: ["active_energy_kwh": QuantitySpec(kind: .counter, unit: "kWh", rollover: 1000)]))
        try h.registerSession()
        let t0 = minuteAligned(minutesAgo: 3)
        let energy = "nextgen/p1/m1/active_energy_kwh"
        let power = "nextgen/p1/m2/active_power_kw"
        func j(_ ts: EpochMillis, _ v: Double) -> String { #"{"ts":\#(ts),"v":\#(v)}"# }
        try h.publish([
            (energy, j(t0, 990)),
            (energy, j(t0 + 40_000, 5)),        // out of order: arrives before t0+20s
            (energy, j(t0 + 20_000, 995)),
            (energy, j(t0 + 20_000, 995)),      // duplicate
            (energy, j(t0 + 70_000, 15)),
            (power, j(t0, 10)),
            (power, j(t0 + 30_000, 30)),
            (power, j(t0 + 15_000, 20)),
            (power, "[\(j(t0 + 60_000, 5)),\(j(t0 + 61_000, 7))]"),   // one message, two readings
            (power, "{not json"),
            (power, #"{"ts":\#(t0)}"#),
            (power, #"{"v":1.5}"#),
            ("nextgen/too/short", j(t0, 1)),       // does not match the topic pattern
        ])
        let r = try h.runIngest(["--max-messages", "13"])
        #expect(r.status == 0, "\(r.stderr)")

        let stats = try #require(try h.stats())
        #expect(stats.messages == 13)
        #expect(stats.readings == 9)
        #expect(stats.duplicates == 1)
        #expect(stats.deadLetters == 4)
        #expect(stats.deadLettersByReason["bad_topic"] == 1)
        #expect(stats.series == 2)

        let e = try h.buckets("p1/m1/active_energy_kwh", from: t0, to: t0 + 120_000, every: 60_000)
        #expect(e.map(\.row.count) == [3, 1])
        // 990 → 995 (+5) → 5 (wrapped at 1000: +10) | → 15 (+10)
        #expect(e.map(\.row.delta) == [15, 10])
        #expect(e.first?.row.first == 990)
        #expect(e.first?.row.last == 5)

        let p = try h.buckets("p1/m2/active_power_kw", from: t0, to: t0 + 120_000, every: 60_000)
        #expect(p.map(\.row.count) == [3, 2])
        #expect(p.first?.row.sum == 60)
        #expect(p.first?.row.min == 10)
        #expect(p.first?.row.max == 30)
        #expect(p.first?.row.first == 10)
        #expect(p.first?.row.last == 30)
        #expect(p.last?.row.sum == 12)
        #expect(p.allSatisfy { $0.row.delta == nil })
    }
}
