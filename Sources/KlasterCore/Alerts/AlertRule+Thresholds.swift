extension AlertRule {
    /// `true` when a high value is bad (`warn < crit`, or only one threshold);
    /// `false` for "low is bad" rules (`warn > crit`, e.g. a minimum steam flow).
    public var highIsBad: Bool {
        if let warn, let crit { return warn <= crit }
        return true
    }

    /// The threshold a state is entered past, and the one it clears past.
    public func thresholds(for status: AlertStatus) -> (enter: Double, reset: Double)? {
        switch status {
        case .warning: warn.map { ($0, warnReset ?? $0) }
        case .critical: crit.map { ($0, critReset ?? $0) }
        case .ok, .unknown: nil
        }
    }

    /// Time after which the newest data counts as stale: `stale_after`, default 2 × `every`.
    public var effectiveStaleAfter: Int64 { staleAfter ?? 2 * every }

    /// The window a rule evaluates at `now`: the last complete one of width
    /// `every`, aligned in UTC like the buckets (`[end − every, end)`,
    /// `end = floor(now / every) × every`). The daemon evaluates the bucket that
    /// just closed, which is the same window.
    public func window(at now: EpochMillis) -> Range<EpochMillis> {
        let end = BucketWidth(millis: every).start(of: now)
        return (end - every)..<end
    }

    /// Checks that the thresholds make sense together.
    /// - Throws: `KlasterError(.usage)` naming the rule: reset thresholds must
    ///   lie on the "good" side of their threshold (below it when high is bad).
    public func validate() throws(KlasterError) {
        guard every > 0 else { throw KlasterError(.usage, "alert \(name): every must be positive", hint: "e.g. every = \"15m\"") }
        for status in [AlertStatus.warning, .critical] {
            guard let t = thresholds(for: status) else { continue }
            let ok = highIsBad ? t.reset <= t.enter : t.reset >= t.enter
            if !ok {
                let key = status == .warning ? "warn" : "crit"
                throw KlasterError(.usage, "alert \(name): \(key)_reset \(t.reset) is on the wrong side of \(key) \(t.enter)",
                                   hint: highIsBad ? "when warn < crit (high is bad), resets lie below their threshold"
                                                   : "when warn > crit (low is bad), resets lie above their threshold")
            }
        }
    }

    /// The state a value calls for, given the state the rule is in
    /// (hysteresis): a state is entered when the value goes past its threshold
    /// (strictly above it when high is bad, strictly below when low is bad) and
    /// is kept until the value goes strictly past its reset threshold the other
    /// way. A value exactly on a threshold changes nothing.
    /// - Parameters:
    ///   - value: The window's aggregate.
    ///   - current: The data-driven state the rule is in (OK, WARNING or CRITICAL).
    public func classify(_ value: Double, from current: AlertStatus) -> AlertStatus {
        func past(_ v: Double, _ t: Double) -> Bool { highIsBad ? v > t : v < t }
        func notBack(_ v: Double, _ reset: Double) -> Bool { highIsBad ? v >= reset : v <= reset }
        func active(_ s: AlertStatus) -> Bool {
            guard let t = thresholds(for: s) else { return false }
            let inIt = current.severity >= s.severity && current != .unknown
            return inIt ? notBack(value, t.reset) : past(value, t.enter)
        }
        if active(.critical) { return .critical }
        if active(.warning) { return .warning }
        return .ok
    }
}
