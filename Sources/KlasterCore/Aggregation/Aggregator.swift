/// What became of one reading handed to ``Aggregator/add(_:)``.
public enum AddOutcome: Sendable, Equatable {
    /// Aggregated into its buckets (and stored raw).
    case accepted
    /// Its (series, ts) was already seen: counted, not aggregated, not stored.
    case duplicate
    /// More than `allowedLateness` older than its series' newest reading:
    /// stored raw, counted as late, not aggregated (`klaster db rebuild` folds it in).
    case late
    /// Quality `bad`: stored raw, never aggregated, not part of any delta.
    case rawOnly
}

/// Turns readings into bucket partials with exactly the semantics of
/// README "Topics and payloads" (aggregation), and hands them out in batches the
/// store applies in one transaction.
///
/// - Buckets are aligned in UTC: `start = floor(ts / width) * width`, for every
///   configured width.
/// - A reading is identified by (series, ts); the first one wins, later ones
///   are counted as duplicates.
/// - Per bucket: count, sum, min, max, first and last (by ts); counters also
///   get `delta` (see ``CounterRule``), each increase in the bucket of the
///   later reading of its pair.
/// - Readings up to `allowedLateness` older than their series' newest give
///   exactly the in-order result: a reading inserted between two others emits
///   signed delta corrections (rows with `count == 0`). Older ones are late.
///
/// By default every batch carries partial ``BucketRow``s that merge with
/// ``BucketRow/merge(_:)``; the merge of all partials ever emitted equals the
/// buckets of the whole stream taken in order. Within one batch there is at
/// most one row per (series, width, start). In *finalising* mode (the ingest
/// daemon and `klaster import`) a batch carries only buckets that became
/// final, with the ``SeriesFrontier``s they advance; see ``finalizing``.
///
/// Per-series state is bounded by one lateness window of readings. In steady
/// state `add` does not allocate. Not thread-safe: one aggregator thread owns it.
///
/// Dedupe covers the lateness window; a redelivered reading older than that is
/// counted as late (the store's insert-or-ignore of raw rows drops it).
public final class Aggregator {
    // Unchecked exclusivity: a checked class property costs a runtime access
    // record (swift_beginAccess) per call — 14 % of a reading's time at batch
    // 1 k in the profile. Safe: `state` is private, every method touches it
    // once and calls nothing that could re-enter the aggregator, and the
    // aggregator is not Sendable, so two threads cannot reach it at once.
    @exclusivity(unchecked) private var state: AggregationState

    /// - Parameters:
    ///   - widths: bucket widths to aggregate into (`buckets.widths`).
    ///   - allowedLateness: milliseconds a reading may lag its series' newest
    ///     and still be aggregated (`buckets.allowed_lateness`).
    ///   - quantities: the quantity table, for each counter's rollover and max rate.
    ///   - finalizing: Hand out final buckets only (see ``finalizing``). Every
    ///     width must then be a multiple of the finest.
    ///   - rawOnly: Aggregate nothing (see ``rawOnly``); not with `finalizing`.
    public init(widths: [BucketWidth], allowedLateness: Int64, quantities: QuantityTable, finalizing: Bool = false,
                rawOnly: Bool = false) {
        state = AggregationState(widths: widths, allowedLateness: allowedLateness, quantities: quantities,
                                 finalizing: finalizing, rawOnly: rawOnly)
    }

    /// Whether the aggregator only collects raw readings: a shared-mode
    /// ingester's (``WriterRole/sharedIngest``), whose buckets the shared
    /// finalising step computes from every ingester's raw readings. It keeps
    /// a lateness window of timestamps per series to count redelivered and
    /// republished readings as duplicates, and no buckets; lateness is the
    /// store's to decide (against the stored frontier), so no reading is late
    /// here, and one older than the window goes to the store, which ignores
    /// it if its (series, ts) is stored. Batches carry role `.sharedIngest`.
    public var rawOnly: Bool { state.rawOnly }

    /// Whether batches carry final buckets only. Then a bucket of the finest
    /// width is handed out once its series' newest reading is
    /// `allowedLateness` past its end, merged into every coarser width, with
    /// the series' new frontier; buckets from the frontier on stay open in
    /// memory and are recomputed from raw readings after a restart
    /// (``restore(series:frontiers:open:)``). A reading older than its
    /// series' frontier is late.
    public var finalizing: Bool { state.finalizing }

    deinit {
        state.deallocate()
    }

    /// The configured bucket widths.
    public var widths: [BucketWidth] { state.widths }

    /// The configured lateness, in milliseconds.
    public var allowedLateness: Int64 { state.allowedLateness }

    /// Tells the aggregator a series' kind, and (from its quantity in the
    /// quantity table) the counter rollover and max rate. Call it before the
    /// first reading of the series; a series seen for the first time also goes
    /// into the next batch's `newSeries`. Registering again updates the kind
    /// and rule without announcing the series again.
    /// A reading of an unregistered series is aggregated as a gauge.
    public func register(_ series: SeriesInfo) {
        state.register(series, announce: true)
    }

    /// Counts one processed message (MQTT message or import record).
    public func noteMessage() {
        state.counters.messages += 1
    }

    /// Aggregates one reading.
    /// - Returns: what became of it.
    /// - Complexity: O(widths) for a reading newer than its series' newest;
    ///   O(log n + n) for one inside the window of n recent readings.
    @discardableResult
    public func add(_ r: Reading) -> AddOutcome {
        state.add(r)
    }

    /// Adds a rejected message to the next batch and counts it by reason.
    public func addDeadLetter(_ d: DeadLetter) {
        state.deadLetters.append(d)
        state.counters.deadLetters[d.reason, default: 0] += 1
    }

    /// Everything since the previous take: new series, raw readings, bucket
    /// partials (final buckets and frontiers in finalising mode), dead letters
    /// and counters. Resets the partials.
    /// - Parameter lastMessageSeq: sequence number of the last message whose
    ///   readings have all been added.
    public func takeBatch(lastMessageSeq: UInt64) -> Batch {
        state.takeBatch(lastMessageSeq: lastMessageSeq)
    }

    /// Picks up where a previous process stopped, on a fresh aggregator
    /// before any `add`. Emits nothing: the buckets are already stored.
    /// - Parameters:
    ///   - series: every known series (not announced again as new).
    ///   - recent: per series, every stored reading within `allowedLateness`
    ///     of its newest plus the last aggregated reading before that (more
    ///     is harmless). Then redelivered messages dedupe and counter deltas
    ///     continue where they stopped.
    ///
    /// Raw rows do not record whether a reading was aggregated, so a reading
    /// that was late before the restart and is now the last one before the
    /// window would serve as the predecessor of a reading inserted at the
    /// window's edge; the store may leave late readings out of `recent` to
    /// avoid that (it only matters for that edge).
    public func restore(series: [SeriesInfo], recent: [Reading]) {
        state.restore(series: series, recent: recent)
    }

    /// Sets the clock that idleness is measured on (receive time); call it
    /// before adding the readings of a message or a batch. Finalising mode.
    public func setClock(_ now: EpochMillis) {
        state.clock = now
    }

    /// Finalises the open buckets of every series that received nothing for
    /// `idleAfter` milliseconds of the clock (see ``setClock(_:)``); they go
    /// out with the next batch. Finalising mode.
    /// - Complexity: O(series).
    public func finalizeIdle(idleAfter: Int64) {
        state.finalizeIdle(idleAfter: idleAfter)
    }

    /// Finalises every open bucket of the given series, as the idle rule
    /// does (``finalizeIdle(idleAfter:)``) but for series the caller judged
    /// idle: the shared finalising step, whose replayed readings carry no
    /// receive time. They go out with the next batch. Finalising mode.
    public func finalize(series ids: some Sequence<SeriesID>) {
        for id in ids { state.finalizeAll(series: id) }
    }

    /// The oldest start of any open bucket, `nil` when none is open (finalising
    /// mode). Raw readings older than this are all in final buckets.
    /// - Complexity: O(1), O(series) after buckets were finalised.
    public var openFrom: EpochMillis? { state.openFrom() }

    /// After a restart, on a fresh finalising aggregator before any `add`:
    /// every known series, the stored frontiers, and the stored raw readings
    /// that are not late from each series' frontier on, in ts order per
    /// series. Rebuilds the open buckets and the windows exactly as they were;
    /// emits nothing but buckets the replay finalises.
    public func restore(series: [SeriesInfo], frontiers: [SeriesFrontier], open: [Reading]) {
        state.restore(series: series, frontiers: frontiers, open: open)
    }
}
