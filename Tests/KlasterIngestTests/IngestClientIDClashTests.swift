import Foundation
import KlasterTestSupport
import Testing

extension IngestIntegrationTests {
    /// Two daemons with one client id (on two databases) knocked each other off
    /// the broker, logging only "The connection was lost"; now each says why.
    @Test func aClientIDInUseElsewhereIsReportedAsSuch() throws {
        let h = try IngestHarness()
        try h.registerSession()
        let first = try h.spawnIngest()
        let otherDir = try TemporaryDirectory(prefix: "clash")
        let second = try KlasterBinary.spawn(["ingest", "--config", h.configPath, "--db", otherDir.file("other.db")],
                                             environment: ["LOG_LEVEL": "info"], outputDirectory: otherDir.path)
        let message = "is probably in use by another client (session taken over)"
        #expect(waitUntil(timeout: .seconds(60), interval: .milliseconds(100)) {
            first.stderr.contains(message) || second.stderr.contains(message)
        }, "first: \(first.stderr)\nsecond: \(second.stderr)")
        #expect(first.stderr.contains(message) ? first.stderr.contains("client id \(h.clientID) ") : second.stderr.contains("client id \(h.clientID) "))
        #expect(second.terminate() == 0)
        #expect(first.terminate() == 0)
    }
}
