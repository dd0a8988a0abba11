import KlasterCore
import KlasterStore
import Logging

/// Applies `storage.raw_retention` / `storage.bucket_retention` from the
/// daemon: `Store.deleteExpired` on the aggregator thread, between commits
/// (its small batches are each their own short transaction), a few seconds
/// after start and then every `interval`.
///
/// It runs when the aggregator is idle (nothing pending, ring empty); under a
/// stream that never lets it idle it runs after a commit once it is overdue
/// by another interval. A failure is logged and ingestion goes on.
final class RetentionSweeper: HousekeepingTask {
    private let store: any Store
    private let rawRetention: Int64
    private let bucketRetention: [Int64: Int64]
    private let interval: Int64
    private let logger: Logger
    private var due: Int64

    /// Delay of the first sweep after start, ms.
    static let firstDelay: Int64 = 2_000
    /// Spacing of sweeps, ms.
    static let defaultInterval: Int64 = 600_000

    init(store: any Store, storage: KlasterConfig.Storage, interval: Int64 = RetentionSweeper.defaultInterval, logger: Logger) {
        self.store = store
        rawRetention = storage.rawRetention
        bucketRetention = storage.bucketRetention
        self.interval = interval
        self.logger = logger
        due = IngestClock.monotonicMillis() + Self.firstDelay
    }

    /// Called when the aggregator has nothing to do.
    func idle() {
        if IngestClock.monotonicMillis() >= due { sweep() }
    }

    /// Called after a commit while the stream keeps the aggregator busy.
    func committed() {
        if IngestClock.monotonicMillis() >= due + interval { sweep() }
    }

    /// Nothing in flight: a sweep is never left half done (each chunk commits).
    func finish() {}

    private func sweep() {
        let started = IngestClock.monotonicMillis()
        due = started + interval
        do {
            let n = try store.deleteExpired(now: IngestClock.wallMillis(), rawRetention: rawRetention, bucketRetention: bucketRetention)
            logger.info("retention: deleted expired rows", metadata: ["rows": "\(n)", "ms": "\(IngestClock.monotonicMillis() - started)"])
        } catch {
            logger.warning("retention sweep failed; ingestion goes on", metadata: ["error": "\(error)"])
        }
    }
}
