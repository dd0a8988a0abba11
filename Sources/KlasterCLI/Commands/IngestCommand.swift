import ArgumentParser
import KlasterCore
import KlasterHTTP
import KlasterIngest
import KlasterMQTT
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// `klaster ingest`: the daemon. Subscribes, parses, aggregates, stores, and
/// acknowledges each message to the broker only after its batch is committed.
/// Owner: mqtt-ingest.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Subscribe to the broker, aggregate and store readings (the daemon).",
        discussion: """
        SIGTERM/SIGINT: stop reading, drain, commit, acknowledge, exit 0. The MQTT password comes from \
        mqtt.password_file or the KLASTER_MQTT_PASSWORD environment variable, never the command line. \
        Exit codes: 0 done, 64 bad usage/config, 66 missing config file, 69 TLS failure, 74 I/O error, \
        77 credentials or subscription refused by the broker.
        """
    )

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("max-messages"), help: "Exit 0 once this many messages (readings, duplicates, dead letters) are committed.")
    var maxMessages: UInt64?

    @Option(name: .customLong("http"), help: "Serve /metrics and /healthz here (host:port); overrides http.listen; \"\" disables.")
    var http: String?

    func validate() throws {
        if maxMessages == 0 { throw ValidationError("--max-messages must be at least 1") }
        if let http, !http.isEmpty, ListenAddress(http) == nil {
            throw ValidationError("--http \(http) is not host:port (e.g. 127.0.0.1:9464)")
        }
    }

    func run() async throws {
        let config = try options.loadConfig()
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = Logger.Level(rawValue: getenv("LOG_LEVEL").map { String(cString: $0) } ?? "") ?? .info
            return h
        }
        let logger = Logger(label: "klaster.ingest")
        let listen = http ?? config.http.listen ?? ""
        var address: ListenAddress?
        if !listen.isEmpty {
            guard let a = ListenAddress(listen) else {
                throw KlasterError(.usage, "http.listen \"\(listen)\" is not host:port", hint: "e.g. 127.0.0.1:9464, or \"\" to disable")
            }
            address = a
            _ = MetricsBootstrap.registry  // before the ingest metrics are created
        }
        // SIGHUP (a closed terminal, `systemctl reload`) and SIGUSR1/SIGUSR2
        // would kill the daemon without draining: the default action of each
        // is to terminate. Nothing is reloaded on them; ignore them.
        for sig in [SIGHUP, SIGUSR1, SIGUSR2] { signal(sig, SIG_IGN) }
        let ingest = try IngestService(config: config, maxMessages: maxMessages, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ingest, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let address {
            let server = ObservabilityServer.make(address: address, health: {
                let h = ingest.health
                return HealthReport(healthy: h.healthy,
                                    detail: "mqtt=\(h.connected ? "connected" : "disconnected") failed=\(h.failed) committed_seq=\(h.committedSeq) ring=\(h.ringOccupancy)")
            }, live: LiveAPI.endpoints(config: options.config, db: options.db), logger: logger)
            logger.info("serving /metrics, /healthz, the report at / and /api/v1/", metadata: ["listen": "\(address)"])
            services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      cancellationSignals: [], logger: logger))
        do {
            try await group.run()
        } catch let e as KlasterError {
            throw e
        } catch let e as ServiceGroupError {
            throw KlasterError(.software, "ingest stopped: \(e)", hint: "see the log above")
        } catch {
            throw KlasterError(.unavailable, "HTTP endpoint \(listen): \(error)", hint: "is the port in use? set http.listen or --http")
        }
    }
}
