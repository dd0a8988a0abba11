import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A wake-up between two threads: a non-blocking Linux `eventfd`. A signal
/// is a counter increment, so none is lost between checking a condition and
/// waiting (the fd stays readable until drained).
final class EventSignal: Sendable {
    let fd: Int32

    init() {
        fd = klaster_eventfd()
        precondition(fd >= 0, "eventfd failed")
    }

    deinit { close(fd) }

    /// Wakes a waiter (one `write(2)`).
    func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Clears pending signals.
    func drain() {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }

    /// Waits until signalled or `timeoutMs` passes, then drains.
    /// - Returns: `true` when signalled.
    @discardableResult
    func wait(timeoutMs: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let n = poll(&p, 1, timeoutMs)
        if n > 0 { drain(); return true }
        return false
    }
}
