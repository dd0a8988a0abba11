import KlasterCore
import KlasterStore
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Shared mode's finalising step, run by every ingester on its aggregator
/// thread between commits (README "Scaling out"): about once per finest
/// bucket width, on the first idle moment after a period boundary of the wall
/// clock (or right after a commit when a busy stream left no idle moment for a
/// whole period). Whichever process gets the lock does the work
/// (``StoreWriter/finalizeShared(widths:allowedLateness:now:idle:)``); the
/// others skip until the next boundary.
///
/// The idle rule: the raw rows carry no receive time, so a series counts as
/// idle when this process's steps saw its newest merged reading unchanged for
/// `idleAfter` of wall clock — nothing newer reached the database from any
/// ingester in that time. (Reading timestamps against the wall clock would
/// close a backfill's series while its readings are still arriving.) A
/// process that just started has seen nothing yet: it waits `idleAfter`
/// before it closes a series this way, and another process may do it sooner.
///
/// Not `Sendable`: owned by the aggregator thread.
final class SharedFinalizer {
    private let store: any Store
    private let widths: [BucketWidth]
    private let allowedLateness: Int64
    private let idleAfter: Int64
    /// Milliseconds between steps: the finest width, or
    /// `KLASTER_FINALIZE_PERIOD_MS` (tests shorten it).
    let period: Int64
    private let logger: Logger
    private var nextRun: Int64
    /// Per series: its newest merged reading at a step, and since when (wall ms) it was that.
    private var observed: [SeriesID: (newest: EpochMillis, since: EpochMillis)] = [:]
    private var failing = false

    init(store: any Store, config: KlasterConfig, idleAfter: Int64, logger: Logger) {
        self.store = store
        widths = config.buckets.widths
        allowedLateness = config.buckets.allowedLateness
        self.idleAfter = idleAfter
        let finest = config.buckets.widths.map(\.millis).min() ?? 60_000
        period = getenv("KLASTER_FINALIZE_PERIOD_MS").flatMap { Int64(String(cString: $0)) }.map { max(1, $0) } ?? finest
        self.logger = logger
        nextRun = Self.boundary(after: IngestClock.wallMillis(), period: period)
    }

    private static func boundary(after now: Int64, period: Int64) -> Int64 {
        (now / period + 1) * period
    }

    /// At an idle moment: runs the step once a boundary has passed.
    func idle() {
        let now = IngestClock.wallMillis()
        if now >= nextRun { run(now: now) }
    }

    /// After a commit: runs the step only when it is a whole period overdue.
    func committed() {
        let now = IngestClock.wallMillis()
        if now >= nextRun + period { run(now: now) }
    }

    private func run(now: Int64) {
        nextRun = Self.boundary(after: now, period: period)
        let idleAfter = self.idleAfter
        let seen = observed
        let started = ContinuousClock.now
        do {
            let result = try store.write { (db: any StoreWriter) throws(KlasterError) -> SharedFinalizeResult? in
                try db.finalizeShared(widths: widths, allowedLateness: allowedLateness, now: now) { newest in
                    newest.compactMap { id, ts in
                        guard let o = seen[id], o.newest == ts, now - o.since >= idleAfter else { return nil }
                        return id
                    }
                }
            }
            if failing { logger.notice("shared finalising step succeeded again") }
            failing = false
            guard let result else { return }
            var next: [SeriesID: (newest: EpochMillis, since: EpochMillis)] = [:]
            for (id, ts) in result.newest {
                if let o = seen[id], o.newest == ts { next[id] = o } else { next[id] = (ts, now) }
            }
            observed = next
            let elapsed = ContinuousClock.now - started
            logger.debug("shared finalising step", metadata: [
                "buckets": "\(result.buckets)", "frontiers": "\(result.frontiers)", "open_series": "\(result.newest.count)",
                "ms": "\(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
        } catch {
            // Only finalising waits: readings keep being stored and every
            // answer stays exact (the open window is computed from raw rows).
            if !failing {
                logger.warning("shared finalising step failed; retrying at the next period", metadata: ["error": "\(error)"])
            }
            failing = true
        }
    }
}
