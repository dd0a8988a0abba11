import KlasterCore

#if canImport(Glibc)
import Glibc
#endif

/// Cheap clock reads for the hot loops (no Foundation, no allocation).
enum IngestClock {
    /// Monotonic milliseconds, for deadlines.
    @inline(__always)
    static func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Monotonic nanoseconds, for short waits.
    @inline(__always)
    static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Wall-clock epoch milliseconds, the receive time of a message.
    @inline(__always)
    static func wallMillis() -> EpochMillis {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
