import Foundation
import KlasterTestSupport
import Testing

extension IngestIntegrationTests {
    /// `/healthz` answers 200 once connected; `/metrics` is Prometheus text
    /// with the daemon's counters, histograms and connection gauge.
    @Test func metricsAndHealthEndpointsAnswer() throws {
        let port = freeLoopbackPort()
        let h = try IngestHarness()
        try h.registerSession()
        let daemon = try h.spawnIngest(["--http", "127.0.0.1:\(port)"])
        func get(_ path: String) throws -> CommandResult {
            try runCommand("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"], timeout: .seconds(10))
        }
        #expect(waitUntil(timeout: .seconds(20)) { ((try? get("/healthz"))?.stdout.hasSuffix("\n200")) ?? false }, "\(daemon.stderr)")
        let t0 = minuteAligned(minutesAgo: 1)
        try h.publish((0..<5).map { ("nextgen/p/m/temperature_c", #"{"ts":\#(t0 + Int64($0)),"v":1}"#) } + [("nextgen/p/m/temperature_c", "{nope")])
        #expect(waitUntil(timeout: .seconds(20)) { ((try? get("/metrics"))?.stdout.contains("klaster_readings_committed_total 5")) ?? false })
        let metrics = try get("/metrics").stdout
        for name in ["klaster_messages_received_total 6", "klaster_mqtt_connected 1", "klaster_commit_seconds_bucket",
                     "klaster_batch_size_bucket", "klaster_ring_occupancy", "klaster_reconnects_total 0",
                     #"klaster_deadletter_total{reason="malformed_json"} 1"#, "klaster_duplicates_total 0", "klaster_late_total 0"] {
            #expect(metrics.contains(name), "missing \(name) in:\n\(metrics)")
        }
        #expect(daemon.terminate() == 0)
    }
}
