import Foundation
import KlasterCore
import KlasterMQTT
import KlasterStore
import KlasterTestSupport
import Testing

/// `klaster ingest` into PostgreSQL, with the real daemon, broker and server.
@Suite(.serialized) struct IngestPostgresTests {
    /// Two counters (one wraps at 1000, one is replaced mid-stream) and a gauge,
    /// one reading a second for 4 minutes, sent with 45 s reordering and
    /// duplicates: what the daemon must aggregate exactly.
    static func stream(start: EpochMillis) -> [(topic: String, payload: String)] {
        var out: [(topic: String, payload: String)] = []
        var rng = SplitMix(seed: 42)
        for i in 0..<240 {
            let ts = start + Int64(i) * 1_000
            let wrapped = (Double(i) * 7).truncatingRemainder(dividingBy: 1000)
            let replaced = i < 150 ? 5_000 + Double(i) * 3 : Double(i - 150) * 2
            out.append(("nextgen/socar-polymer/m1/active_energy_kwh", #"{"ts":\#(ts),"v":\#(wrapped)}"#))
            out.append(("nextgen/socar-karbamid/g1/gas_volume_nm3", #"{"ts":\#(ts),"v":\#(replaced)}"#))
            out.append(("nextgen/socar-polymer/m1/active_power_kw", #"{"ts":\#(ts),"v":\#(Double(i % 17))}"#))
        }
        // 45 s reordering: swap each message with one up to 45 s (135 messages) later.
        for i in out.indices where rng.next() % 4 == 0 {
            let j = min(out.count - 1, i + Int(rng.next() % 135))
            out.swapAt(i, j)
        }
        // Duplicates: every 10th message again, right after it.
        return out.repeatingEvery(10)
    }

    static let quantities = """
        [quantities.active_energy_kwh]
        kind = "counter"
        unit = "kWh"
        rollover = 1000
        """

    /// Same stream into SQLite and into PostgreSQL: the same 1-minute buckets.
    @Test func ingestIntoPostgresGivesTheSQLiteAnswer() throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase(prefix: "ingest")
        let env = StoreBackend.postgres.environment
        let start = minuteAligned(minutesAgo: 8)
        let messages = Self.stream(start: start)
        var answers: [[BucketRow]] = []
        for db in [nil, url] {
            let h = try IngestHarness(extraConfig: Self.quantities, quantities: QuantityTable(overrides: [
                "active_energy_kwh": QuantitySpec(kind: .counter, unit: "kWh", rollover: 1000)]))
            try h.registerSession()
            try h.publish(messages)
            let r = try KlasterBinary.run(["ingest", "--config", h.configPath, "--db", db ?? h.dbPath,
                                           "--max-messages", "\(messages.count)"], environment: env, timeout: .seconds(120))
            #expect(r.status == 0, "\(r.stderr)")
            let store: any Store = try db.map { try PostgresStore(url: $0, passwordFile: nil, create: false, quantities: h.quantities) }
                ?? SQLiteStore(path: h.dbPath, durability: .process, create: false, quantities: h.quantities)
            let s = try store.stats()
            #expect(s.messages == Int64(messages.count) && s.readings == 720 && s.duplicates == Int64(messages.count - 720))
            answers.append(try store.buckets(seriesGlob: ["**"], from: start, to: start + 600_000, every: 60_000).map(\.row))
        }
        #expect(answers[0].count == 12)
        #expect(answers[0] == answers[1])
    }

    /// PostgreSQL restarted mid-stream: the daemon acknowledges nothing
    /// uncommitted, retries with backoff, logs the outage once each way, loses nothing.
    @Test func postgresRestartMidStreamLosesNothing() throws {
        let server = try PostgresServer()
        let url = try server.createDatabase(prefix: "restart")
        let env = StoreBackend.postgres.environment
        let h = try IngestHarness()
        let start = minuteAligned(minutesAgo: 8)
        let all = (0..<600).map { i in
            (topic: "nextgen/socar-polymer/m\(i % 3)/active_power_kw", payload: #"{"ts":\#(start + Int64(i / 3) * 1_000),"v":\#(i)}"#)
        }
        try h.registerSession()
        let daemon = try KlasterBinary.spawn(["ingest", "--config", h.configPath, "--db", url], environment: env.merging(["LOG_LEVEL": "info"]) { $1 },
                                             outputDirectory: h.dir.path)
        defer { daemon.terminate() }
        func messages() -> Int64 {
            (try? PostgresStore(url: url, passwordFile: nil, create: false).stats().messages) ?? -1
        }
        #expect(waitUntil(timeout: .seconds(30)) { daemon.stderr.contains("ingest ready") })
        try h.publish(Array(all[0..<200]))
        #expect(waitUntil(timeout: .seconds(30)) { messages() == 200 })
        server.stop()
        try h.publish(Array(all[200..<400]))   // the broker holds them: nothing can be committed now
        #expect(waitUntil(timeout: .seconds(30)) { daemon.stderr.contains("store unavailable") })
        #expect(daemon.isRunning)
        try server.start()
        try h.publish(Array(all[400..<600]))
        #expect(waitUntil(timeout: .seconds(60)) { messages() == 600 })
        let s = try PostgresStore(url: url, passwordFile: nil, create: false).stats()
        #expect(s.readings == 600 && s.duplicates == 0)
        let log = daemon.stderr
        #expect(log.components(separatedBy: "store unavailable").count == 2, "\(log)")
        #expect(log.components(separatedBy: "store available again").count == 2, "\(log)")
    }

    /// A server that is not there at start: one line, exit 69.
    @Test func unreachableServerAtStartIsExit69() throws {
        let h = try IngestHarness()
        let r = try KlasterBinary.run(["ingest", "--config", h.configPath, "--db", "postgresql://klaster@127.0.0.1:\(freeLoopbackPort())/klaster"],
                                      environment: StoreBackend.postgres.environment)
        #expect(r.status == 69)
        #expect(r.stderr.hasPrefix("klaster: cannot connect to PostgreSQL at 127.0.0.1:"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    /// A wrong password: one line, exit 77.
    @Test func wrongPasswordIsExit77() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "pw")
        let h = try IngestHarness()
        let r = try KlasterBinary.run(["stats", "--config", h.configPath, "--db", url], environment: ["KLASTER_PG_PASSWORD": "wrong"])
        #expect(r.status == 77)
        #expect(r.stderr.hasPrefix("klaster: PostgreSQL at 127.0.0.1:"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}

/// A small deterministic generator for the stream's shuffles.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
