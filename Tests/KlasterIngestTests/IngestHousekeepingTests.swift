import Foundation
import KlasterCore
import KlasterStore
import KlasterTestSupport
import Testing

/// The daemon's work between commits: alert rules evaluated and their state
/// changes published retained on `klaster/alerts/<rule>`, and retention.
@Suite(.serialized) struct IngestHousekeepingTests {
    /// A completed minute whose max exceeds `crit` turns the rule CRITICAL:
    /// the daemon publishes it once, retained (a later subscriber still gets
    /// it), and saves the state where `klaster check` reads it.
    @Test func alertStateChangeIsPublishedRetained() throws {
        let h = try IngestHarness(extraConfig: """
        [[alerts]]
        name = "power-high"
        series = "p1/*/active_power_kw"
        every = "1m"
        agg = "max"
        warn = 80
        crit = 100
        """)
        try h.registerSession()
        // The rule evaluates the last complete minute; stay clear of a minute
        // boundary so the minute the readings are in is still "the last" when
        // the daemon evaluates it (a minute later it would be UNKNOWN: no data).
        #expect(waitUntil(timeout: .seconds(20), interval: .milliseconds(200)) {
            Int64(Date().timeIntervalSince1970 * 1000) % 60_000 < 40_000
        })
        let t0 = minuteAligned(minutesAgo: 1)
        func j(_ ts: EpochMillis, _ v: Double) -> String { #"{"ts":\#(ts),"v":\#(v)}"# }
        // One message, so one commit holds the whole window.
        try h.publish([("nextgen/p1/m2/active_power_kw", "[\(j(t0 + 5_000, 150)),\(j(t0 + 20_000, 180)),\(j(t0 + 40_000, 120))]")])

        let ingest = try h.spawnIngest()
        defer { _ = ingest.terminate() }
        let topic = "klaster/alerts/power-high"
        let expected = "\(topic) "
            + #"{"rule":"power-high","since":"\#(RFC3339.format(t0 + 60_000))","status":"CRITICAL","threshold":100,"value":180}"#
        let live = try MosquittoClients.subscribe(port: h.broker.port, topic: topic, count: 1, timeoutSeconds: 30)
        #expect(live == [expected], "daemon log: \(ingest.stderr)")
        // Retained: a new subscriber gets the same message without a new state change.
        let later = try MosquittoClients.subscribe(port: h.broker.port, topic: topic, count: 1, timeoutSeconds: 5)
        #expect(later == [expected])
        #expect(ingest.isRunning)

        let store = try SQLiteStore(path: h.dbPath, durability: .process, create: false)
        let state = try #require(AlertMonitor.published(in: try store.loadAlertStates())["power-high"])
        #expect(state.status == .critical)
        #expect(state.lastWindowEnd == t0 + 60_000)
        #expect(ingest.terminate() == 0)
    }

    /// Raw readings older than `storage.raw_retention` are deleted by the
    /// running daemon (shortly after start); fresh readings and the old
    /// readings' buckets (no bucket retention configured) stay.
    @Test func daemonDeletesExpiredRawReadings() throws {
        let h = try IngestHarness(extraConfig: """
        [storage]
        raw_retention = "1h"
        """)
        let old = minuteAligned(minutesAgo: 180)
        let fresh = minuteAligned(minutesAgo: 1)
        let series = "p1/m1/active_power_kw"
        let oldTs = [old, old + 10_000, old + 20_000]
        let freshTs = [fresh, fresh + 30_000]
        let csv = "series,ts,value\n" + (oldTs + freshTs).map { "\(series),\($0),5\n" }.joined()
        try h.dir.write("readings.csv", csv)
        let imported = try KlasterBinary.run(["import", "--config", h.configPath, "--db", h.dbPath, h.dir.file("readings.csv")])
        #expect(imported.status == 0, "\(imported.stderr)")

        func rawTimestamps() throws -> [EpochMillis] {
            let store = try SQLiteStore(path: h.dbPath, durability: .process, create: false)
            return try store.read { (db: any StoreReader) throws(KlasterError) -> [EpochMillis] in
                var ts: [EpochMillis] = []
                try db.forEachReading(from: .min, to: .max, includeLate: true) { ts.append($0.ts) }
                return ts
            }
        }
        #expect(try rawTimestamps() == oldTs + freshTs)

        let ingest = try h.spawnIngest()
        defer { _ = ingest.terminate() }
        let gone = try waitUntil(timeout: .seconds(30), interval: .milliseconds(100)) { try rawTimestamps() == freshTs }
        let left = try rawTimestamps()
        #expect(gone, "raw readings: \(left); daemon log: \(ingest.stderr)")
        #expect(waitUntil(timeout: .seconds(5)) { ingest.stderr.contains("retention: deleted expired rows") })
        #expect(ingest.stderr.contains("rows=3"), "\(ingest.stderr)")
        // Buckets have their own retention (none configured): the old minute is still there.
        let buckets = try h.buckets(series, from: old, to: old + 60_000, every: 60_000)
        #expect(buckets.map(\.row.count) == [3])
        #expect(ingest.isRunning)
        #expect(ingest.terminate() == 0)
    }
}
