import KlasterCore
import KlasterMQTT
import KlasterStore
import Logging

/// The daemon's side of `[[alerts]]`: evaluates the rules (judged from the
/// stored windows like `klaster check`, by `AlertMonitor`) on the
/// aggregator thread between commits, and publishes each state change
/// retained, QoS 1, on `klaster/alerts/<rule>` through its own MQTT
/// connection (client id `<client_id>-alerts`, clean session).
///
/// When it evaluates: after a commit when the last evaluation is at least a
/// second old; when the aggregator goes idle after such a skipped commit (so
/// the last data of a burst is seen); and once a minute with no data at all
/// (so a silent stream still turns a rule UNKNOWN). `AlertMonitor` reads
/// the store only when a rule's window has closed or every few seconds, so
/// most evaluations cost a clock read.
///
/// Publishing never stops ingestion: the connection is opened lazily (at most
/// one attempt per `reconnectInterval`), a state change that cannot be
/// published is kept (the latest per rule; the message is retained, so only
/// the latest matters) and retried, and each failure is logged once per
/// state change.
///
/// Not `Sendable` (`AlertMonitor` is not): owned by the aggregator thread.
final class AlertEmitter: HousekeepingTask {
    private let monitor: AlertMonitor
    private let options: MQTTConnectionOptions
    private let logger: Logger
    private var publisher: MQTTPublisher?
    /// Unpublished state changes, the latest per rule, in the order they arose.
    private var unpublished: [AlertTransition] = []
    /// Transitions (rule + since) whose failure is already logged.
    private var loggedFailures: Set<String> = []
    private var lastEvaluation: Int64
    private var nextConnectAttempt: Int64 = 0
    /// A commit happened since the last evaluation.
    private var dirty = false
    private var lastEvaluationFailed = false

    /// Minimum spacing of evaluations, ms.
    static let minInterval: Int64 = 1_000
    /// Evaluation period without any commit, ms.
    static let idleInterval: Int64 = 60_000
    /// Minimum spacing of connection attempts, ms.
    static let reconnectInterval: Int64 = 30_000
    /// Largest number of unacknowledged alert messages before publishing waits for the next round.
    static let maxOutstanding = 1_000

    /// - Parameters:
    ///   - store: The daemon's store.
    ///   - config: `alerts` and `factors` are used; `nil` is returned when there are no rules.
    ///   - ingestOptions: The daemon's broker connection; the alert connection copies it
    ///     with client id `<client_id>-alerts` and a clean session.
    /// - Throws: `.usage` for an inconsistent rule; store errors reading `alert_state`.
    init?(store: any Store, config: KlasterConfig, ingestOptions: MQTTConnectionOptions, logger: Logger) throws(KlasterError) {
        guard !config.alerts.isEmpty else { return nil }
        monitor = try AlertMonitor(store: store, rules: config.alerts, factors: config.factors, method: config.emissions.scope2Method)
        var o = ingestOptions
        o.clientID = ingestOptions.clientID.map { "\($0)-alerts" }
        o.cleanSession = true
        o.sessionExpirySeconds = 0
        options = o
        self.logger = logger
        lastEvaluation = IngestClock.monotonicMillis()
    }

    /// Called after each successful commit.
    func committed() {
        dirty = true
        let now = IngestClock.monotonicMillis()
        if now - lastEvaluation >= Self.minInterval { evaluate(at: now) }
    }

    /// Called when the aggregator has nothing to do.
    func idle() {
        let now = IngestClock.monotonicMillis()
        let elapsed = now - lastEvaluation
        if (dirty && elapsed >= Self.minInterval) || elapsed >= Self.idleInterval {
            evaluate(at: now)
        } else if !unpublished.isEmpty, now >= nextConnectAttempt || publisher != nil, elapsed >= Self.minInterval {
            lastEvaluation = now
            publishPending(now: now)
        }
    }

    /// Waits briefly for the broker to acknowledge what was published, then disconnects.
    func finish() {
        guard let publisher else { return }
        do { try publisher.flush(timeout: .seconds(2)) } catch {
            logger.warning("alert messages not acknowledged before exit", metadata: ["error": "\(error)"])
        }
        publisher.disconnect()
        self.publisher = nil
    }

    private func evaluate(at monotonic: Int64) {
        lastEvaluation = monotonic
        dirty = false
        do {
            let transitions = try monitor.evaluate(now: IngestClock.wallMillis())
            lastEvaluationFailed = false
            for t in transitions {
                logger.info("alert state change", metadata: [
                    "rule": "\(t.rule)", "from": "\(t.from.name)", "to": "\(t.to.name)",
                    "value": "\(t.value.map { "\($0)" } ?? "-")", "threshold": "\(t.threshold.map { "\($0)" } ?? "-")",
                ])
                unpublished.removeAll { $0.rule == t.rule }
                unpublished.append(t)
            }
        } catch {
            if !lastEvaluationFailed {
                logger.warning("alert evaluation failed; ingestion goes on", metadata: ["error": "\(error)"])
            }
            lastEvaluationFailed = true
        }
        if !unpublished.isEmpty { publishPending(now: monotonic) }
    }

    private func publishPending(now: Int64) {
        guard let publisher = connectedPublisher(now: now) else { return }
        while let t = unpublished.first {
            if publisher.outstanding >= Self.maxOutstanding { return } // broker unreachable for long: retry later, never block
            do {
                try publisher.publish(topic: t.topic, payload: t.jsonPayload, qos: 1, retain: true)
                loggedFailures.remove(Self.key(t))
            } catch {
                noteFailure(t, error)
                // Not publishable (e.g. a rule name with MQTT wildcards): drop it; it is logged.
                if error.code == .usage { loggedFailures.remove(Self.key(t)); unpublished.removeFirst(); continue }
                return
            }
            unpublished.removeFirst()
        }
    }

    private func connectedPublisher(now: Int64) -> MQTTPublisher? {
        if let publisher { return publisher }
        guard now >= nextConnectAttempt else { return nil }
        nextConnectAttempt = now + Self.reconnectInterval
        do {
            let p = try MQTTPublisher(options: options, maxOutstanding: Self.maxOutstanding, connectTimeout: .seconds(2))
            publisher = p
            logger.info("alert publisher connected", metadata: ["broker": "\(options.url)", "client_id": "\(options.clientID ?? "-")"])
            return p
        } catch {
            for t in unpublished { noteFailure(t, error) }
            return nil
        }
    }

    private func noteFailure(_ t: AlertTransition, _ error: KlasterError) {
        guard loggedFailures.insert(Self.key(t)).inserted else { return }
        logger.warning("cannot publish alert state change; will retry", metadata: [
            "topic": "\(t.topic)", "status": "\(t.to.name)", "error": "\(error)",
        ])
    }

    private static func key(_ t: AlertTransition) -> String { "\(t.rule)\u{1}\(t.since)\u{1}\(t.to.name)" }
}
