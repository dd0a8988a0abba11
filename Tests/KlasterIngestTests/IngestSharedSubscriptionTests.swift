import Foundation
import KlasterCore
import KlasterStore
import KlasterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Three `klaster ingest` processes on one Mosquitto shared subscription
/// (round-robin: consecutive readings of a series land in different
/// processes) into one PostgreSQL database, against one process ingesting the
/// same stream into another database: every 1-minute bucket, counter deltas
/// included, must be byte-identical in `klaster query` output.
@Suite(.serialized) struct IngestSharedSubscriptionTests {
    static let lateness: Int64 = 60_000
    static let seconds = 300

    /// Four counters (one wraps at 1000, one is replaced by a new meter
    /// mid-stream) and two gauges, one reading a second for 5 minutes, with
    /// 45 s reordering and duplicates (the same message published twice).
    /// Every value is a multiple of 1/8, so sums and deltas are exact in any
    /// order of addition: the comparison is of bytes, and which process added
    /// which reading first must not show in the last digit.
    static func stream(start: EpochMillis, seed: UInt64) -> [(topic: String, payload: String)] {
        var out: [(topic: String, payload: String)] = []
        var rng = SplitMix64(seed: seed)
        for i in 0..<seconds {
            let ts = start + Int64(i) * 1_000
            let wrapped = (Double(i) * 7).truncatingRemainder(dividingBy: 1000)
            let replaced = i < 150 ? 5_000 + Double(i) * 3 : Double(i - 150) * 2
            out.append(("nextgen/plant-a/m1/active_energy_kwh", #"{"ts":\#(ts),"v":\#(wrapped)}"#))
            out.append(("nextgen/plant-a/m2/active_energy_kwh", #"{"ts":\#(ts),"v":\#(100 + Double(i) * 0.5)}"#))
            out.append(("nextgen/plant-b/g1/gas_volume_nm3", #"{"ts":\#(ts),"v":\#(replaced)}"#))
            out.append(("nextgen/plant-b/g2/gas_volume_nm3", #"{"ts":\#(ts),"v":\#(Double(i * i) / 8)}"#))
            out.append(("nextgen/plant-a/m1/active_power_kw", #"{"ts":\#(ts),"v":\#(Double(rng.next() % 500) / 4)}"#))
            out.append(("nextgen/plant-b/g1/active_power_kw", #"{"ts":\#(ts),"v":\#(Double(i % 17))}"#))
        }
        // 45 s reordering: a quarter of the messages published up to 45 s
        // (6 series × 45 messages) later than in order. Only delays: a message
        // moved ahead would lead its series, and one delayed behind it would
        // then lag by more than 45 s.
        let keys = out.indices.map { i in i + (rng.next() % 4 == 0 ? Int(rng.next() % 270) : 0) }
        out = out.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }.map { out[$0] }
        return out.repeatingEvery(10)
    }

    static let extraConfig = """
        [buckets]
        allowed_lateness = "60s"

        [quantities.active_energy_kwh]
        kind = "counter"
        unit = "kWh"
        rollover = 1000
        """

    /// The broker, both databases and the configs of the reference ingester
    /// and of the three shared-group members.
    final class Cluster {
        let harness: IngestHarness
        let server: PostgresServer
        let referenceURL: String
        let sharedURL: String
        let start: EpochMillis
        let env = StoreBackend.postgres.environment

        init(start: EpochMillis) throws {
            self.start = start
            harness = try IngestHarness(extraConfig: IngestSharedSubscriptionTests.extraConfig)
            server = try PostgresServer.shared()
            referenceURL = try server.createDatabase(prefix: "sharedref")
            sharedURL = try server.createDatabase(prefix: "shared")
            for member in 1...3 {
                let toml = try String(contentsOfFile: harness.configPath, encoding: .utf8)
                    .replacingOccurrences(of: "client_id = \"\(harness.clientID)\"",
                                          with: "client_id = \"\(memberID(member))\"\nshared_group = \"klaster\"")
                try harness.dir.write("member\(member).toml", toml)
            }
        }

        func memberID(_ member: Int) -> String { "\(harness.clientID)-m\(member)" }

        /// The single-process reference: `nextgen/#` without a shared group.
        func spawnReference() throws -> ChildProcess {
            try KlasterBinary.spawn(["ingest", "--config", harness.configPath, "--db", referenceURL],
                                    environment: env.merging(["LOG_LEVEL": "info"]) { $1 }, outputDirectory: harness.dir.path)
        }

        /// Member 1, 2 or 3 of the shared group, its client id the same every time.
        func spawnMember(_ member: Int, environment: [String: String]) throws -> ChildProcess {
            try KlasterBinary.spawn(["ingest", "--config", harness.dir.file("member\(member).toml"), "--db", sharedURL],
                                    environment: env.merging(["LOG_LEVEL": "info"]) { $1 }.merging(environment) { $1 },
                                    outputDirectory: harness.dir.path)
        }

        /// `klaster query '**' --every 1m` over the whole stream, as CSV.
        func query(_ url: String) throws -> String {
            let r = try KlasterBinary.run(["query", "**", "--every", "1m", "--from", "\(start - 60_000)",
                                           "--to", "\(start + 600_000)", "--format", "csv", "--config", harness.configPath, "--db", url],
                                          environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }

        func stats(_ url: String) -> StoreStats? {
            try? PostgresStore(url: url, passwordFile: nil, create: false, quantities: harness.quantities).stats()
        }

        /// One SQL answer from the shared database (superuser, Unix socket).
        func sql(_ query: String) throws -> String {
            try server.admin(query, database: String(sharedURL.split(separator: "/").last!)).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Series of the shared database whose frontier is not yet where the
        /// lateness rule puts it after the whole stream: the start of the
        /// minute `allowed_lateness` before the newest reading.
        func seriesNotFinalised() throws -> Int {
            let newest = start + Int64(IngestSharedSubscriptionTests.seconds - 1) * 1_000
            let frontier = (newest - IngestSharedSubscriptionTests.lateness) / 60_000 * 60_000
            return Int(try sql("SELECT count(*) FROM series WHERE coalesce(final_until, 0) < \(frontier)")) ?? -1
        }
    }

    /// Distinct (series, ts) readings in `messages`.
    static func distinctReadings(_ messages: ArraySlice<(topic: String, payload: String)>) -> Int {
        Set(messages.map { "\($0.topic) \($0.payload)" }).count
    }

    /// All three members receive the stream round-robin; the answer equals the
    /// single process's before any bucket is final (the open window from raw
    /// rows of all three) and after the finalising step has run.
    @Test func threeMembersGiveTheSingleProcessAnswer() throws {
        let cluster = try Cluster(start: minuteAligned(minutesAgo: 10))
        let messages = Self.stream(start: cluster.start, seed: 10)
        try cluster.harness.registerSession()
        let reference = try cluster.spawnReference()
        defer { reference.terminate() }
        // No finalising step during the first phase.
        let never = ["KLASTER_FINALIZE_PERIOD_MS": "\(Int64.max / 4)"]
        var members = try (1...3).map { try cluster.spawnMember($0, environment: never) }
        defer { for m in members { m.terminate() } }
        // Every subscriber live before the stream starts (a session's queued
        // messages and live ones may interleave as it connects).
        for m in members + [reference] { #expect(waitUntil(timeout: .seconds(30)) { m.stderr.contains("subscribed") }, "\(m.stderr)") }
        try cluster.harness.publish(messages)

        let distinct = Int64(Self.distinctReadings(messages[...]))
        for url in [cluster.referenceURL, cluster.sharedURL] {
            let done = waitUntil(timeout: .seconds(60)) { cluster.stats(url).map { $0.messages == Int64(messages.count) } ?? false }
            #expect(done, "\(url): \(String(describing: cluster.stats(url)))")
            let s = try #require(cluster.stats(url))
            #expect(s.readings == distinct && s.duplicates == Int64(messages.count) - distinct && s.late == 0, "\(url): \(s)")
        }
        // Round-robin really spread the stream: each member committed messages.
        #expect(try cluster.sql("SELECT count(*) FROM counters WHERE name = 'messages' AND value > 0") == "3")
        #expect(try cluster.sql("SELECT count(*) FROM series WHERE final_until IS NOT NULL") == "0")
        let expected = try cluster.query(cluster.referenceURL)
        #expect(expected.split(separator: "\n").count == 1 + 6 * 5)
        let open = try cluster.query(cluster.sharedURL)
        #expect(open == expected)

        // Restarted with a short period: the finalising step closes every bucket
        // the lateness rule closes; the answer stays the same.
        for m in members { #expect(m.terminate() == 0) }
        members = try (1...3).map { try cluster.spawnMember($0, environment: ["KLASTER_FINALIZE_PERIOD_MS": "500"]) }
        let finalised = waitUntil(timeout: .seconds(60), interval: .milliseconds(100)) { (try? cluster.seriesNotFinalised()) == 0 }
        #expect(finalised, "\(members.map(\.stderr))")
        #expect(try cluster.sql("SELECT count(*) FROM buckets_1m") != "0")
        #expect(try cluster.query(cluster.sharedURL) == expected)
        #expect(cluster.stats(cluster.sharedURL)?.implausible == cluster.stats(cluster.referenceURL)?.implausible)
    }

    /// SIGKILL one member twice mid-stream and restart it with its client id
    /// (the broker redelivers what it had not acknowledged), with the
    /// finalising step running every second: nothing lost, nothing counted
    /// twice — the same answer as the single process.
    @Test func sigkilledMemberLosesNothingAndCountsNothingTwice() throws {
        let cluster = try Cluster(start: minuteAligned(minutesAgo: 10))
        let messages = Self.stream(start: cluster.start, seed: 11)
        try cluster.harness.registerSession()
        let reference = try cluster.spawnReference()
        defer { reference.terminate() }
        // A 200 ms pause before each commit widens the read-but-uncommitted
        // window the kills aim at (right after a chunk is published).
        let env = ["KLASTER_FINALIZE_PERIOD_MS": "1000", "KLASTER_FAULT_COMMIT_DELAY_MS": "200"]
        var members = try (1...3).map { try cluster.spawnMember($0, environment: env) }
        defer { for m in members { m.terminate() } }
        for m in members + [reference] { #expect(waitUntil(timeout: .seconds(30)) { m.stderr.contains("subscribed") }, "\(m.stderr)") }

        // Published in chunks of about 9 s of readings, each committed before
        // the next: a killed member's redelivered readings then lag the
        // stream by less than the lateness, as they would for one process.
        let chunk = 60
        var killsMidStream = 0
        for (n, from) in stride(from: 0, to: messages.count, by: chunk).enumerated() {
            let upTo = min(messages.count, from + chunk)
            try cluster.harness.publish(Array(messages[from..<upTo]))
            let distinct = Int64(Self.distinctReadings(messages[..<upTo]))
            if n == 8 || n == 20 {
                members[1].signal(SIGKILL)
                #expect(members[1].wait(timeout: .seconds(10)) == 128 + SIGKILL)
                if (cluster.stats(cluster.sharedURL)?.readings ?? 0) < distinct { killsMidStream += 1 }
                members[1] = try cluster.spawnMember(2, environment: env)
                let restarted = members[1]
                #expect(waitUntil(timeout: .seconds(30)) { restarted.stderr.contains("subscribed") }, "\(restarted.stderr)")
            }
            let committed = waitUntil(timeout: .seconds(60)) { (cluster.stats(cluster.sharedURL)?.readings ?? 0) >= distinct }
            #expect(committed, "chunk \(n): \(members.map(\.stderr))")
        }
        #expect(killsMidStream == 2, "a kill found everything committed")

        let done = waitUntil(timeout: .seconds(60)) { cluster.stats(cluster.referenceURL).map { $0.messages == Int64(messages.count) } ?? false }
        #expect(done)
        #expect(waitUntil(timeout: .seconds(60), interval: .milliseconds(100)) { (try? cluster.seriesNotFinalised()) == 0 })
        let distinct = Int64(Self.distinctReadings(messages[...]))
        let s = try #require(cluster.stats(cluster.sharedURL))
        #expect(s.readings == distinct && s.late == 0, "\(s)")
        #expect(s.messages >= Int64(messages.count))   // redeliveries are messages too
        #expect(s.messages == s.readings + s.duplicates)
        #expect(try cluster.query(cluster.sharedURL) == cluster.query(cluster.referenceURL))
    }
}
