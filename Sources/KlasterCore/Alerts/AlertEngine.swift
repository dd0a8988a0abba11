/// Evaluates alert rules window by window and keeps each rule's state.
///
/// Pure: the caller supplies the clock and a `fetch` closure that reads the
/// window's data. The daemon calls `evaluate` whenever a bucket closes and
/// publishes the transitions; `klaster check` loads the states from the store,
/// evaluates once and saves them back.
///
/// Semantics per rule:
/// - The window is the last complete `every` window (`AlertRule.window(at:)`);
///   each window is evaluated once (re-running on the same window changes nothing).
/// - No data in the window, or newest data older than `stale_after` → UNKNOWN,
///   at once (no `for`); the hysteresis level is kept, so data coming back
///   resumes where it left.
/// - Otherwise the value is classified with hysteresis (`AlertRule.classify`).
///   A different state is only entered after it has been called for by an
///   unbroken run of windows spanning at least `for`, counted from the start
///   of the first window of the run (a window's aggregate stands for the whole
///   window; `for ≤ every` therefore means the first such window changes it).
///   A missed window breaks the run.
public struct AlertEngine: Sendable {
    public private(set) var rules: [AlertRule]
    public private(set) var states: [String: AlertState]

    /// - Parameters:
    ///   - rules: The `[[alerts]]` of the config.
    ///   - states: Saved states by rule name (absent = `AlertState.initial`).
    public init(rules: [AlertRule], states: [String: AlertState] = [:]) {
        self.rules = rules
        self.states = states
    }

    /// The state of one rule.
    public func state(of rule: String) -> AlertState { states[rule] ?? .initial }

    /// Evaluates every rule whose window has closed since its last evaluation.
    /// - Parameters:
    ///   - now: The current time.
    ///   - fetch: Reads a rule's observation for a window (`nil`/`value == nil`
    ///     for missing data). Called once per rule that needs evaluating.
    /// - Returns: The state changes, in rule order.
    public mutating func evaluate<E: Error>(now: EpochMillis,
                                            fetch: (AlertRule, Range<EpochMillis>) throws(E) -> AlertObservation?) throws(E) -> [AlertTransition] {
        var out: [AlertTransition] = []
        for rule in rules {
            let window = rule.window(at: now)
            let previous = state(of: rule.name)
            if let last = previous.lastWindowEnd, last >= window.upperBound { continue }
            let obs = try fetch(rule, window) ?? .missing
            let (next, transition) = Self.step(rule: rule, state: previous, window: window, observation: obs, now: now)
            states[rule.name] = next
            if let transition { out.append(transition) }
        }
        return out
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
