import Synchronization

/// Moves a non-Sendable object to the one thread that will own it.
final class ThreadHandOff<T>: @unchecked Sendable {
    // @unchecked Sendable: the value is created on the setup thread, never
    // touched there again, and taken exactly once by its worker thread; the
    // Thread start is the happens-before edge between the two.
    private var value: T?
    init(_ value: T) { self.value = value }
    func take() -> T {
        guard let v = value else { preconditionFailure("handed off twice") }
        value = nil
        return v
    }
}

/// Counts finished threads; the last one to finish sees `true`.
final class Countdown: Sendable {
    private let left: Atomic<Int>
    init(_ n: Int) { left = Atomic(n) }
    /// Acquiring-and-releasing: the last thread sees every other thread's work.
    func tick() -> Bool { left.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 }
}

/// Resumes a continuation once.
final class DoneLatch: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, Never>?>
    init(_ c: CheckedContinuation<Void, Never>) { continuation = Mutex(c) }
    func fire() {
        let c = continuation.withLock { c -> CheckedContinuation<Void, Never>? in
            defer { c = nil }
            return c
        }
        c?.resume()
    }
}
