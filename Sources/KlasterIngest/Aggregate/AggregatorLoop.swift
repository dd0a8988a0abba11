import KlasterCore
import KlasterStore
import Logging

#if canImport(Glibc)
import Glibc
import Synchronization
import CoreMetrics
#endif

/// The aggregator thread: pops events from the ring, aggregates, and
/// commits a batch when it reaches `ingest.batch_max_messages` messages,
/// when `ingest.batch_max_delay` has passed since its first message, or at
/// once when the network thread is holding acknowledgements for it. After
/// each commit it publishes the committed sequence number. Between commits
/// (after one, or when idle) it runs the housekeeping that must not slow the
/// ack path: alert evaluation (`AlertEmitter`) and retention (`RetentionSweeper`),
/// and in shared mode the finalising step (`SharedFinalizer`).
final class AggregatorLoop {
    private let shared: IngestShared
    private let aggregator: Aggregator
    private let store: any Store
    /// A series that received nothing this long (receive time) has its open
    /// buckets finalised: max(2 × allowed_lateness, 1 min).
    private let idleAfter: Int64
    private var lastIdleCheck: Int64 = 0
    private let batchMaxMessages: Int
    private let batchMaxDelayMillis: Int64
    private let maxMessages: UInt64?
    private let logger: Logger
    /// Alert emitter (when rules are configured) and retention sweeper.
    private let housekeeping: [any HousekeepingTask]
    /// Shared mode: the finalising step (the aggregator then only collects raw readings).
    private let finalizer: SharedFinalizer?

    private var buffer: [IngestEvent] = []
    private var deadLetters: SideQueueReader<DeadLetter>
    private var newSeries: SideQueueReader<SeriesInfo>
    private var staleMarks: SideQueueReader<SeriesStaleMark>
    /// Stale marks since the last commit (they ride with the next batch).
    private var pendingStale: [SeriesStaleMark] = []
    /// Messages added since the last commit.
    private var pendingMessages = 0
    /// Sequence number of the last complete message added.
    private var lastSeq: UInt64
    private var batchOpenedAt: Int64 = 0
    /// Fault injection for the crash tests (`KLASTER_FAULT_COMMIT_DELAY_MS`):
    /// a pause before each commit widens the read-but-uncommitted window a
    /// SIGKILL aims at, so an acknowledgement sent before its commit would
    /// reliably lose readings. 0 (unset) in production.
    private let faultCommitDelayMicros: UInt32

    init(shared: IngestShared, aggregator: Aggregator, store: any Store, config: KlasterConfig, maxMessages: UInt64?,
         alerts: AlertEmitter?, logger: Logger) {
        self.shared = shared
        housekeeping = (alerts.map { [$0] } ?? []) + [RetentionSweeper(store: store, storage: config.storage, logger: logger)]
        self.aggregator = aggregator
        self.store = store
        idleAfter = max(2 * config.buckets.allowedLateness, 60_000)
        finalizer = aggregator.rawOnly ? SharedFinalizer(store: store, config: config, idleAfter: idleAfter, logger: logger) : nil
        batchMaxMessages = max(1, config.ingest.batchMaxMessages)
        batchMaxDelayMillis = max(1, config.ingest.batchMaxDelay)
        self.maxMessages = maxMessages
        self.logger = logger
        deadLetters = SideQueueReader(shared.deadLetters)
        newSeries = SideQueueReader(shared.newSeries)
        staleMarks = SideQueueReader(shared.staleMarks)
        lastSeq = shared.startSeq
        buffer.reserveCapacity(4096)
        let delay = getenv("KLASTER_FAULT_COMMIT_DELAY_MS").flatMap { UInt32(String(cString: $0)) } ?? 0
        faultCommitDelayMicros = min(delay, 1_000) * 1_000
    }

    /// Runs until the network thread has finished and everything is committed,
    /// or a commit fails. Called on the dedicated aggregator thread.
    func run() {
        defer { for task in housekeeping { task.finish() } }
        var idleRounds = 0
        while true {
            buffer.removeAll(keepingCapacity: true)
            let n = shared.ring.popMany(max: 4096, into: &buffer)
            if n > 0 { aggregator.setClock(IngestClock.wallMillis()) }
            for e in buffer { handle(e) }
            if n > 0 {
                idleRounds = 0
                if pendingMessages >= batchMaxMessages { guard commit() else { return } }
            }
            if pendingMessages > 0 {
                let wanted = shared.flushRequest.load(ordering: .acquiring)
                let due = IngestClock.monotonicMillis() - batchOpenedAt >= batchMaxDelayMillis
                if due || (wanted <= lastSeq && wanted > shared.committedSeq.load(ordering: .relaxed)) {
                    guard commit() else { return }
                }
            }
            if n == 0 {
                idleRounds += 1
                if shared.producerFinished.load(ordering: .acquiring) && shared.ring.occupancy == 0 {
                    // Acquire above pairs with the network thread's release: every
                    // event it pushed is visible, and the ring is empty: done.
                    if pendingMessages > 0 { _ = commit() }
                    return
                }
                if pendingMessages == 0 && !shared.stopRequested.load(ordering: .relaxed) {
                    // Nothing to commit, nothing waiting for an ack: housekeeping costs no latency here.
                    finalizer?.idle()
                    for task in housekeeping { task.idle() }
                }
                if idleRounds > 2 { sleepUntilWoken(streaming: pendingMessages > 0) }
            }
        }
    }

    /// Waits for more events. The network thread does not signal per
    /// message (a wake-up per message costs more than the message); it
    /// signals when it wants a commit (end of a burst) or finds the ring full.
    /// In between, while a burst is streaming in, the aggregator naps 1 ms at
    /// a time to keep pace; when idle it sleeps up to 50 ms or until the
    /// batch deadline.
    private func sleepUntilWoken(streaming: Bool) {
        shared.metrics.ringOccupancy.record(0)
        var timeout: Int64 = streaming ? 1 : 50
        if pendingMessages > 0 {
            timeout = min(timeout, max(0, batchOpenedAt + batchMaxDelayMillis - IngestClock.monotonicMillis()))
        }
        shared.ringSignal.wait(timeoutMs: Int32(timeout))
    }

    @inline(__always)
    private func handle(_ e: IngestEvent) {
        switch e.kind {
        case .reading:
            aggregator.add(e.reading)
        case .endOfMessage:
            aggregator.noteMessage()
            if pendingMessages == 0 { batchOpenedAt = IngestClock.monotonicMillis() }
            pendingMessages += 1
            lastSeq = e.seq
        case .deadLetter:
            aggregator.addDeadLetter(deadLetters.next())
        case .newSeries:
            aggregator.register(newSeries.next())
        case .staleMark:
            pendingStale.append(staleMarks.next())
        }
    }

    /// Takes the batch, applies it in one transaction, publishes the committed sequence.
    /// - Returns: `false` after a failed commit (the daemon stops; nothing is acknowledged).
    private func commit() -> Bool {
        let started = ContinuousClock.now
        let now = IngestClock.wallMillis()
        if finalizer == nil && now - lastIdleCheck >= 1_000 {
            // O(series): at most once a second.
            aggregator.setClock(now)
            aggregator.finalizeIdle(idleAfter: idleAfter)
            lastIdleCheck = now
        }
        var batch = aggregator.takeBatch(lastMessageSeq: lastSeq)
        batch.staleMarks = pendingStale
        pendingStale.removeAll()
        if faultCommitDelayMicros > 0 { usleep(faultCommitDelayMicros) }
        // A store that is unavailable (PostgreSQL restarting, network) is
        // waited out: the same batch is retried with capped backoff while
        // nothing is acknowledged (the ring fills, the broker keeps the rest);
        // the state change is logged once each way. Any other failure stops.
        var backoff = ReconnectBackoff(minMillis: 100, maxMillis: 5_000)
        var outage = false
        while true {
            do {
                try store.apply(batch)
                break
            } catch where error.code == .unavailable && !shared.stopRequested.load(ordering: .relaxed) {
                if !outage {
                    logger.warning("store unavailable; retrying the batch with backoff, acknowledging nothing meanwhile",
                                   metadata: ["error": "\(error)"])
                    outage = true
                }
                usleep(UInt32(backoff.next()) * 1_000)
            } catch {
                logger.error("commit failed; stopping without acknowledging", metadata: ["error": "\(error)"])
                shared.fail(error)
                return false
            }
        }
        if outage { logger.notice("store available again; committing resumed") }
        // Release: pairs with the network thread's acquire, so its writes of
        // PUBACKs happen after this commit returned.
        shared.committedSeq.store(lastSeq, ordering: .releasing)
        shared.commitSignal.signal()
        let elapsed = ContinuousClock.now - started
        let m = shared.metrics
        m.commitSeconds.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        m.batchSize.record(pendingMessages)
        m.record(committed: batch.counters)
        m.ringOccupancy.record(shared.ring.occupancy)
        pendingMessages = 0
        if let maxMessages, lastSeq - shared.startSeq >= maxMessages, !shared.stopRequested.load(ordering: .relaxed) {
            logger.info("--max-messages reached; stopping", metadata: ["committed": "\(lastSeq - shared.startSeq)"])
            shared.requestStop()
        }
        // After the commit is published (the PUBACKs are already free to go).
        finalizer?.committed()
        for task in housekeeping { task.committed() }
        return true
    }
}

