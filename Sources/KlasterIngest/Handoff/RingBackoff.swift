import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a thread waits for a ring to change state without a lock or a
/// condition variable: spin a little (the other side is usually busy for only
/// nanoseconds), then yield the CPU, then sleep in growing small steps capped
/// at `maxSleepNanoseconds`, so a long stall costs no CPU while a short one
/// costs no latency.
public struct RingBackoff: Sendable {
    @usableFromInline var step = 0
    /// Accumulates the spin loads so the optimiser cannot drop the loop.
    @usableFromInline var spinSink = 0
    /// Never written: a relaxed load of it is a cheap, unremovable pause on
    /// a read-only (never contended) cache line.
    @usableFromInline static let pauseSource = Atomic<Int>(0)
    /// Longest single sleep, in nanoseconds.
    public var maxSleepNanoseconds: Int

    @usableFromInline static var spinSteps: Int { 64 }
    @usableFromInline static var yieldSteps: Int { 16 }

    /// - Parameter maxSleepNanoseconds: cap of one sleep step (default 50 µs).
    public init(maxSleepNanoseconds: Int = 50_000) {
        self.maxSleepNanoseconds = maxSleepNanoseconds
    }

    /// Whether the busy-wait phase is over (the caller may now poll slower
    /// conditions such as a shutdown flag).
    @inlinable
    public var isPastSpinning: Bool { step >= Self.spinSteps }

    /// Waits one step.
    @inlinable
    public mutating func wait() {
        defer { step += 1 }
        if step < Self.spinSteps {
            // Spin without touching the ring's shared lines, a little longer
            // each step (1, 2, 4 … 64 units of ~1 ns): a side that polls the
            // other's index back to back takes that cache line away from its
            // writer on every poll and slows both down.
            let units = 1 << Swift.min(step, 6)
            for _ in 0..<units { spinSink &+= RingBackoff.pauseSource.load(ordering: .relaxed) }
            return
        }
        if step < Self.spinSteps + Self.yieldSteps {
            sched_yield()
            return
        }
        let exponent = Swift.min(step - Self.spinSteps - Self.yieldSteps, 10)
        let nanos = Swift.min(1_000 << exponent, maxSleepNanoseconds)
        var ts = timespec(tv_sec: 0, tv_nsec: nanos)
        nanosleep(&ts, nil)
    }

    /// Starts again from the spinning phase (after progress was made).
    @inlinable
    public mutating func reset() { step = 0 }
}
