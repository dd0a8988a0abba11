/// Judges alert rules from the stored windows themselves.
///
/// Pure: the caller supplies the clock and the observations of a run of
/// windows read from the store. A rule's state is not carried from one
/// evaluation to the next: each evaluation replays the last
/// `lookback(for:)` windows, oldest first, through the state machine
/// (`step`), starting from OK. So a first `klaster check`, a cron job, the
/// daemon and a restarted daemon give the same answer for the same data,
/// and data that arrives late (a backfill) changes the answer of the next
/// evaluation. What the data cannot tell — when a state was first reported
/// and what was published — is kept by the caller (`report`).
///
/// Semantics per rule:
/// - The windows are aligned like the buckets; the last one is the last
///   complete `every` window (`AlertRule.window(at:)`).
/// - No data in a window, or (for the last window) newest data older than
///   `stale_after` → UNKNOWN for that window, at once (no `for`); the
///   hysteresis level is kept, so data coming back resumes where it left.
/// - Otherwise the value is classified with hysteresis (`AlertRule.classify`).
///   A different state is only entered after it has been called for by an
///   unbroken run of windows spanning at least `for`, counted from the start
///   of the first window of the run (a window's aggregate stands for the whole
///   window; `for ≤ every` therefore means the first such window changes it).
///   A window without data breaks the run.
/// - Hysteresis remembers no further back than the replayed windows: a state
///   entered before them is re-derived from the data they hold.
public enum AlertEngine {
    /// How many windows a rule's evaluation replays: enough for `for` to be
    /// met twice over and for hysteresis to settle, at least 12, at most 2 000.
    public static func lookback(for rule: AlertRule) -> Int {
        let hold = Int((rule.holdFor + rule.every - 1) / Swift.max(rule.every, 1))
        return Swift.min(2_000, Swift.max(12, 2 * hold + 4))
    }

    /// The windows an evaluation at `now` replays, oldest first; the last is `rule.window(at: now)`.
    public static func windows(for rule: AlertRule, at now: EpochMillis) -> [Range<EpochMillis>] {
        let last = rule.window(at: now)
        let n = lookback(for: rule)
        return (0..<n).map { k in
            let end = last.upperBound - Int64(n - 1 - k) * rule.every
            return (end - rule.every)..<end
        }
    }

    /// Replays the windows through the state machine, from OK.
    /// - Parameters:
    ///   - rule: The rule.
    ///   - windows: `windows(for:at:)`, oldest first.
    ///   - observations: One per window, same order (`.missing` for no data).
    ///   - now: The current time (staleness of the last window).
    /// - Returns: The state after the last window: its status, since when the
    ///   replay has it (`since`), the level, a pending change, the last value.
    public static func judge(rule: AlertRule, windows: [Range<EpochMillis>], observations: [AlertObservation],
                             now: EpochMillis) -> AlertJudgement {
        var state = AlertState.initial
        var lastChange: Int?
        for (i, w) in windows.enumerated() {
            let obs = i < observations.count ? observations[i] : .missing
            let at = i == windows.count - 1 ? now : w.upperBound
            let (next, transition) = step(rule: rule, state: state, window: w, observation: obs, now: at)
            if transition != nil { lastChange = i }
            state = next
        }
        // A state present from the first window is entered as soon as `for` allows.
        let earliest = Swift.max(1, Int((rule.holdFor + rule.every - 1) / Swift.max(rule.every, 1)))
        return AlertJudgement(state: state, observation: observations.last ?? .missing, window: windows.last ?? rule.window(at: now),
                              heldThroughout: lastChange.map { $0 < earliest } ?? true)
    }

    /// Compares a judgement with what was last reported for the rule.
    /// - Parameters:
    ///   - judged: `judge(…)`'s result.
    ///   - reported: The stored report (`nil` = never reported: OK, as a new rule starts).
    /// - Returns: The report to store (status, since, value, window end) and
    ///   the transition to publish when the status differs from the report.
    ///   `since` is the data's, except when the status held through every
    ///   replayed window and was reported earlier: then the first report's.
    public static func report(rule: AlertRule, judged: AlertJudgement, reported: AlertState?) -> (AlertState, AlertTransition?) {
        var out = judged.state
        let before = reported ?? .initial
        if let r = reported, r.status == out.status, judged.heldThroughout, r.since < out.since {
            out.since = r.since
        }
        guard before.status != out.status else { return (out, nil) }
        let value = out.status == .unknown ? nil : out.value
        let threshold: Double?
        switch out.status {
        case .unknown: threshold = nil
        case .ok: threshold = rule.thresholds(for: before.status)?.reset  // nil coming back from UNKNOWN
        default: threshold = rule.thresholds(for: out.status)?.enter
        }
        return (out, AlertTransition(rule: rule.name, from: before.status, to: out.status, value: value, threshold: threshold, since: out.since))
    }

    /// One state-machine step for one rule and one window.
    /// - Returns: The new state and the transition, if the shown status changed.
    public static func step(rule: AlertRule, state s: AlertState, window: Range<EpochMillis>,
                            observation obs: AlertObservation, now: EpochMillis) -> (AlertState, AlertTransition?) {
        var n = s
        if s.lastWindowEnd == nil { n.since = window.upperBound } // first evaluation: the state holds from here
        let contiguous = s.lastWindowEnd == window.lowerBound
        n.lastWindowEnd = window.upperBound
        let stale = obs.staleSince != nil || (obs.newestTs.map { now - $0 > rule.effectiveStaleAfter } ?? false)
        guard let value = obs.value, !stale else {
            n.value = nil
            n.pending = nil
            n.pendingSince = nil
            if s.status != .unknown {
                n.status = .unknown
                n.since = window.upperBound
                return (n, AlertTransition(rule: rule.name, from: s.status, to: .unknown, value: nil, threshold: nil, since: n.since))
            }
            return (n, nil)
        }
        n.value = value
        let target = rule.classify(value, from: s.level)
        if target == s.level {
            n.pending = nil
            n.pendingSince = nil
        } else {
            if n.pending != target || !contiguous {
                n.pending = target
                n.pendingSince = window.lowerBound
            }
            if window.upperBound - (n.pendingSince ?? window.lowerBound) >= rule.holdFor {
                n.level = target
                n.pending = nil
                n.pendingSince = nil
            }
        }
        // Shown status follows the level (also when data returns after UNKNOWN).
        if n.level != s.status {
            n.status = n.level
            n.since = window.upperBound
            let entered = n.level == .ok ? rule.thresholds(for: s.level)?.reset : rule.thresholds(for: n.level)?.enter
            return (n, AlertTransition(rule: rule.name, from: s.status, to: n.status, value: value, threshold: entered, since: n.since))
        }
        return (n, nil)
    }
}

/// A rule's state as judged from the replayed windows.
public struct AlertJudgement: Sendable, Equatable {
    /// Status, since, level, pending change and value after the last window.
    public var state: AlertState
    /// What the last window held.
    public var observation: AlertObservation
    /// The last window.
    public var window: Range<EpochMillis>
    /// The status held through every replayed window (its start lies before them).
    public var heldThroughout: Bool
}
