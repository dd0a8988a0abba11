import KlasterCore
import Synchronization

/// The state the network thread, the aggregator thread and the service task
/// share. Every field is an atomic, a `Mutex` or immutable.
final class IngestShared: Sendable {
    /// Highest message sequence number whose batch is committed to the store.
    /// Stored with release by the aggregator thread after `Store.apply`
    /// returned; loaded with acquire by the network thread before it lets
    /// PUBACKs out, so "committed" always means "on disk first".
    let committedSeq: Atomic<UInt64>
    /// The network thread asks the aggregator to commit everything up to here
    /// now (it is holding acknowledgements back until then).
    let flushRequest: Atomic<UInt64>
    /// Set once to begin the graceful shutdown (SIGTERM, --max-messages, a fatal error).
    let stopRequested = Atomic<Bool>(false)
    /// Set by the network thread when it has pushed its last event.
    let producerFinished = Atomic<Bool>(false)
    /// Whether the MQTT session is up (for /healthz).
    let connected = Atomic<Bool>(false)
    /// The first fatal error; the service throws it after the threads stop.
    let firstFatalError = Mutex<KlasterError?>(nil)
    /// Sequence number before this process's first message.
    let startSeq: UInt64

    let ring: SPSCRing<IngestEvent>
    let deadLetters = SideQueue<DeadLetter>()
    let newSeries = SideQueue<SeriesInfo>()
    let staleMarks = SideQueue<SeriesStaleMark>()
    /// Wakes the aggregator thread (events or a flush request).
    let ringSignal = EventSignal()
    /// Wakes the network thread after a commit.
    let commitSignal = EventSignal()
    /// Wakes the network thread to stop (from any thread).
    let stopSignal = EventSignal()
    let metrics: IngestMetrics

    init(startSeq: UInt64, ringCapacity: Int, metrics: IngestMetrics) {
        self.startSeq = startSeq
        committedSeq = Atomic(startSeq)
        flushRequest = Atomic(startSeq)
        var cap = 2
        while cap < ringCapacity { cap <<= 1 }
        ring = SPSCRing(capacity: cap)
        self.metrics = metrics
    }

    /// Begins the graceful shutdown; safe from any thread, any number of times.
    func requestStop() {
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        stopSignal.signal()
        ringSignal.signal()
    }

    /// Records a fatal error (the first one wins) and stops.
    func fail(_ error: KlasterError) {
        firstFatalError.withLock { if $0 == nil { $0 = error } }
        requestStop()
    }

    var failed: Bool { firstFatalError.withLock { $0 != nil } }
}
