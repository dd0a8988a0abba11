import Foundation
import KlasterStore
import KlasterTestSupport
import Testing

/// SIGHUP and SIGUSR1 used to kill ingest without draining (their default
/// action); they are ignored now, and SIGTERM still drains and exits 0.
@Test func hangupAndUser1DoNotStopIngest() throws {
    let h = try IngestHarness()
    try h.registerSession()
    let t0 = minuteAligned(minutesAgo: 3)
    let daemon = try h.spawnIngest()
    try h.publish((0..<50).map { ("nextgen/p1/m1/active_power_kw", "{\"ts\":\(t0 + Int64($0) * 1000),\"v\":\($0)}") })
    #expect(waitUntil(timeout: .seconds(30)) { ((try? h.stats())??.readings ?? 0) == 50 })
    daemon.signal(SIGHUP)
    daemon.signal(SIGUSR1)
    try h.publish((50..<100).map { ("nextgen/p1/m1/active_power_kw", "{\"ts\":\(t0 + Int64($0) * 1000),\"v\":\($0)}") })
    #expect(waitUntil(timeout: .seconds(30)) { ((try? h.stats())??.readings ?? 0) == 100 }, "stderr: \(daemon.stderr)")
    #expect(daemon.isRunning)
    #expect(daemon.terminate() == 0)
}
