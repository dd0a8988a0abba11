import Foundation
import KlasterCore
import KlasterIngest
import KlasterMQTT
import KlasterStore
import KlasterTestSupport

/// A private broker + database + config for one ingest test.
final class IngestHarness {
    let broker: MosquittoBroker
    let dir: TemporaryDirectory
    let clientID: String
    var dbPath: String { dir.file("klaster.db") }
    var configPath: String { dir.file("klaster.toml") }
    /// The quantity table `extraConfig` amounts to: a reader computes the open
    /// window's counter deltas with it, as a CLI reading the same config does.
    let quantities: QuantityTable

    /// - Parameters:
    ///   - brokerOptions: The broker's config.
    ///   - extraConfig: TOML appended to the generated config (e.g. `[quantities…]`).
    ///   - url: Broker URL for the daemon (default: the plain listener).
    ///   - quantities: What `extraConfig` says of quantities (see `quantities`).
    init(brokerOptions: MosquittoBroker.Options = .init(), mqttExtra: [String] = [], extraConfig: String = "",
         quantities: QuantityTable = QuantityTable(), url: String? = nil, httpListen: String = "") throws {
        self.quantities = quantities
        broker = try MosquittoBroker(brokerOptions)
        dir = try TemporaryDirectory(prefix: "ingest")
        clientID = "klaster-test-\(UUID().uuidString.prefix(6))"
        let toml = """
        [mqtt]
        url = "\(url ?? broker.url)"
        client_id = "\(clientID)"
        topics = ["nextgen/#"]
        qos = 1
        reconnect_min = "100ms"
        reconnect_max = "1s"
        \(mqttExtra.joined(separator: "\n"))

        [http]
        listen = "\(httpListen)"

        \(extraConfig)
        """
        try dir.write("klaster.toml", toml)
    }

    /// Creates the daemon's persistent session (subscribe, then leave), so
    /// messages published before the daemon first runs are queued for it.
    func registerSession() throws {
        let r = try runCommand("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-i", clientID, "-c",
                                                          "-q", "1", "-t", "nextgen/#", "-E"] + (broker.options.users.isEmpty ? [] : ["-u", "klaster", "-P", broker.options.users["klaster"] ?? ""]))
        precondition(r.status == 0, "registering the session failed: \(r.stderr)")
    }

    /// Publishes `(topic, payload)` pairs at QoS 1 and waits for every PUBACK.
    func publish(_ messages: [(topic: String, payload: String)]) throws {
        let p = try MQTTPublisher(url: broker.url)
        for m in messages { try p.publish(topic: m.topic, payload: m.payload, qos: 1) }
        try p.flush(timeout: .seconds(30))
        p.disconnect()
    }

    /// `klaster ingest --config … --db … args…` to completion.
    func runIngest(_ args: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) throws -> CommandResult {
        try KlasterBinary.run(["ingest", "--config", configPath, "--db", dbPath] + args, environment: environment, timeout: timeout)
    }

    /// Starts `klaster ingest` in the background.
    func spawnIngest(_ args: [String] = [], environment: [String: String] = [:]) throws -> ChildProcess {
        try KlasterBinary.spawn(["ingest", "--config", configPath, "--db", dbPath] + args, environment: ["LOG_LEVEL": "info"].merging(environment) { $1 },
                                outputDirectory: dir.path)
    }

    /// Totals from the database (opened read-side, as another process would).
    func stats() throws -> StoreStats? {
        guard FileManager.default.fileExists(atPath: dbPath) else { return nil }
        let store = try SQLiteStore(path: dbPath, durability: .process, create: false, quantities: quantities)
        return try store.stats()
    }

    /// Buckets of `every` width for the series matching `glob`.
    func buckets(_ glob: String, from: EpochMillis, to: EpochMillis, every: Int64) throws -> [SeriesBucket] {
        let store = try SQLiteStore(path: dbPath, durability: .process, create: false, quantities: quantities)
        return try store.buckets(seriesGlob: [glob], from: from, to: to, every: every)
    }
}

/// Start of the current UTC minute minus `minutes`, epoch ms.
func minuteAligned(minutesAgo: Int64) -> EpochMillis {
    let now = EpochMillis(Date().timeIntervalSince1970 * 1000)
    return (now / 60_000 - minutesAgo) * 60_000
}
