import Foundation
import KlasterCore
import KlasterMQTT
import KlasterStore
import Logging
import ServiceLifecycle
import Synchronization
import CoreMetrics

/// `klaster ingest` as a swift-service-lifecycle `Service`: a network thread
/// (libmosquitto, parsing) and an aggregator thread (aggregation, SQLite
/// commits) joined by the lock-free ring. On graceful shutdown (SIGTERM,
/// SIGINT) it stops reading, drains the ring, commits, flushes the
/// acknowledgements, disconnects and returns.
public final class IngestService: Service, Sendable {
    private let shared: IngestShared
    private let network: ThreadHandOff<ReceiveLoop<IngestMessageDecoder>>
    private let aggregatorLoop: ThreadHandOff<AggregatorLoop>
    private let logger: Logger
    private let started = Atomic<Bool>(false)
    /// Held for the life of the service: one writer per database file.
    private let writerLock: WriterLock?

    /// Opens the store, restores the aggregator's recent state (so redelivered
    /// messages dedupe and counter deltas continue), seeds the series
    /// resolver and prepares the MQTT client. Connects only in `run()`.
    /// - Parameters:
    ///   - config: The loaded configuration (`storage.path` already overridden by `--db`).
    ///   - maxMessages: Stop after this many messages are committed (`--max-messages`).
    ///   - environment: Process environment (for `KLASTER_MQTT_PASSWORD`).
    ///   - logger: Structured log output.
    /// - Throws: `KlasterError` for a bad topic pattern, URL, TLS file or store;
    ///   `.unavailable` (69) when another writer holds the database.
    public init(config: KlasterConfig, maxMessages: UInt64? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "klaster.ingest")) throws(KlasterError) {
        self.logger = logger
        var options = try MQTTConnectionOptions(config: config.mqtt, environment: environment)
        if config.sparkplug.isEnabled && config.mqtt.topics.isEmpty {
            // A Sparkplug-only host connects with a clean session (Sparkplug 3.0): what it
            // missed comes back through the edge nodes' store-and-forward, not broker queues.
            // With JSON topics too, the persistent session stays: their no-loss guarantee
            // needs it, and the broker queues none of the (QoS 0) Sparkplug data for us anyway.
            options.cleanSession = true
        }
        let pattern = try TopicPattern(config.mqtt.topicPattern)
        // SQLite: lock, then open for writing (read-only and locked files fail
        // here), all before anything connects or subscribes. PostgreSQL takes
        // many writers: no lock.
        writerLock = config.storage.backend == .sqlite ? try WriterLock(database: config.storage.path) : nil
        let store = try config.openStore(create: true)
        let startSeq = try store.committedSeq()
        let known: [SeriesInfo], recent: [Reading]
        let aggregator: Aggregator
        if config.isSharedIngest {
            // Shared mode: raw readings only; the shared finalising step computes
            // the buckets from every ingester's readings (`SharedFinalizer`).
            known = try store.read { (db: any StoreReader) throws(KlasterError) -> [SeriesInfo] in try db.loadSeries() }
            recent = []
            aggregator = Aggregator(widths: config.buckets.widths, allowedLateness: config.buckets.allowedLateness,
                                    quantities: config.quantities, rawOnly: true)
            aggregator.restore(series: known, recent: [])
        } else {
            // The open window is rebuilt from raw readings: what was acknowledged is on disk.
            let (series, frontiers, open) = try store.ingestRestoreState()
            known = series
            recent = open
            aggregator = Aggregator(widths: config.buckets.widths, allowedLateness: config.buckets.allowedLateness,
                                    quantities: config.quantities, finalizing: true)
            aggregator.setClock(IngestClock.wallMillis())
            aggregator.restore(series: known, frontiers: frontiers, open: recent)
        }
        let resolver = SeriesResolver(pattern: pattern, quantities: config.quantities, known: known, maxSeries: config.ingest.maxSeries)
        let decoder = IngestMessageDecoder(resolver: resolver, config: config)
        let metrics = IngestMetrics()
        shared = IngestShared(startSeq: startSeq, ringCapacity: config.ingest.ringCapacity, metrics: metrics)
        network = ThreadHandOff(try ReceiveLoop(shared: shared, options: options, config: config, decoder: decoder, logger: logger))
        let alerts = try AlertEmitter(store: store, config: config, ingestOptions: options, logger: logger)
        aggregatorLoop = ThreadHandOff(AggregatorLoop(shared: shared, aggregator: aggregator, store: store, config: config,
                                                      maxMessages: maxMessages, alerts: alerts, logger: logger))
        logger.info("ingest ready", metadata: [
            "db": "\(store.location)", "series": "\(known.count)", "recent_readings": "\(recent.count)",
            "committed_seq": "\(startSeq)", "broker": "\(options.url)", "client_id": "\(options.clientID ?? "-")",
            "alert_rules": "\(config.alerts.count)", "shared": "\(config.isSharedIngest)",
        ])
    }

    /// Runs both threads until shutdown; returns when everything read is
    /// committed and acknowledged.
    /// - Throws: the first fatal `KlasterError` (refused credentials → 77,
    ///   TLS failure → 69, a failed commit → its store error).
    public func run() async throws {
        precondition(!started.exchange(true, ordering: .relaxed), "IngestService.run() called twice")
        let shared = self.shared
        let network = self.network
        let aggregatorLoop = self.aggregatorLoop
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let remaining = Countdown(2)
                let resume = DoneLatch(done)
                let n = Thread {
                    network.take().run()
                    if remaining.tick() { resume.fire() }
                }
                n.name = "klaster-mqtt"
                let a = Thread {
                    aggregatorLoop.take().run()
                    // If the aggregator stopped first (a failed commit), the network loop must stop too.
                    shared.requestStop()
                    if remaining.tick() { resume.fire() }
                }
                a.name = "klaster-aggregate"
                a.start()
                n.start()
            }
        } onGracefulShutdown: {
            shared.requestStop()
        }
        if let error = shared.firstFatalError.withLock({ $0 }) { throw error }
        logger.info("ingest stopped", metadata: ["committed_seq": "\(shared.committedSeq.load(ordering: .acquiring))"])
    }

    /// Asks the service to stop (as SIGTERM does).
    public func stop() { shared.requestStop() }

    /// For `/healthz`: healthy while connected to the broker and not failed.
    public var health: IngestHealth {
        IngestHealth(connected: shared.connected.load(ordering: .relaxed),
                     failed: shared.failed,
                     committedSeq: shared.committedSeq.load(ordering: .relaxed),
                     ringOccupancy: shared.ring.occupancy)
    }
}

/// A snapshot of the daemon's health.
public struct IngestHealth: Sendable, Equatable {
    public var connected: Bool
    public var failed: Bool
    public var committedSeq: UInt64
    public var ringOccupancy: Int
    /// Healthy = connected and no fatal error.
    public var healthy: Bool { connected && !failed }
}
