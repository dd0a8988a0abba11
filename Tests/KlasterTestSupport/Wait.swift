import Foundation

/// Polls `condition` until it holds or `timeout` passes. Polling a condition
/// with a deadline — never a fixed sleep as synchronisation.
/// - Parameters:
///   - timeout: Upper bound on the wait.
///   - interval: Pause between two checks.
/// - Returns: `true` when the condition held before the deadline.
@discardableResult
public func waitUntil(timeout: Duration, interval: Duration = .milliseconds(20), _ condition: () throws -> Bool) rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try condition() { return true }
        if clock.now >= deadline { return false }
        Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
    }
}
