import Dispatch
import KlasterCore
import KlasterStore
import Synchronization

/// Commits `klaster import`'s batches on a thread of their own, one at a
/// time and in order, so that the next chunk is parsed and aggregated while
/// the previous one's transaction runs (the server's work on the other core,
/// or SQLite's). At most one batch is in flight: `submit` first waits for the
/// one before, and a failed commit is thrown by the next `submit` or by
/// `finish`, after which nothing more is committed. So the store always holds
/// a prefix of the input, and a re-run skips what is stored as duplicates.
final class ImportCommitter: Sendable {
    private let store: any Store
    private let queue = DispatchQueue(label: "klaster.import.commit")
    /// Signalled when the batch in flight has been committed (or has failed).
    private let done = DispatchSemaphore(value: 0)
    private let state = Mutex<(inFlight: Bool, failure: KlasterError?)>((false, nil))

    init(store: any Store) { self.store = store }

    /// Hands `batch` to the commit thread once the batch before it is committed.
    /// - Throws: The error of an earlier batch's commit; `batch` is then not committed.
    func submit(_ batch: Batch) throws(KlasterError) {
        try finish()
        state.withLock { $0.inFlight = true }
        queue.async { [self] in
            var failure: KlasterError?
            do throws(KlasterError) { try store.apply(batch) } catch { failure = error }
            state.withLock { $0.failure = failure }
            done.signal()
        }
    }

    /// Waits until the batch in flight, if any, is committed.
    /// - Throws: Its commit's error (and every call after that throws it again).
    func finish() throws(KlasterError) {
        let waiting = state.withLock { s -> Bool in s.inFlight }
        if waiting {
            done.wait()
            state.withLock { $0.inFlight = false }
        }
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }
}
