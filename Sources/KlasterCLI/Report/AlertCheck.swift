import KlasterCore
import KlasterStore

/// Judges the alert rules from the stored windows for `klaster check` and the report.
enum AlertCheck {
    struct Result {
        var states: [(rule: AlertRule, state: AlertState, observation: AlertObservation, window: Range<EpochMillis>)]
        var lines: [String]
    }

    /// Judges `rules` at `data.now` from the data (`AlertEngine.judge`); the
    /// saved reports only supply when a long-standing state was first reported.
    /// - Parameter save: Record the reports (`check`); the report only looks.
    static func evaluate(rules: [AlertRule], data: EmissionsData, save: Bool) throws(KlasterError) -> Result {
        let saved = try data.store.loadAlertStates()
        var result = Result(states: [], lines: [])
        var changed: [String: AlertState] = [:]
        for rule in rules {
            let judged = try data.store.judgeAlert(rule, factors: data.factors, now: data.now, series: data.emitting)
            var (state, transition) = AlertEngine.report(rule: rule, judged: judged, reported: saved[rule.name])
            if transition != nil || saved[rule.name] == nil { changed[rule.name] = state }
            // Every series of the rule is stale (Sparkplug DEATH): UNKNOWN now.
            if judged.observation.staleSince != nil { state.status = .unknown }
            result.states.append((rule, state, judged.observation, judged.window))
            result.lines.append(line(rule: rule, state: state, observation: judged.observation, window: judged.window, now: data.now))
        }
        if save && !changed.isEmpty { try data.store.saveAlertStates(changed) }
        return result
    }

    /// `RULE STATUS - text | perfdata` (Nagios plugin output).
    static func line(rule: AlertRule, state: AlertState, observation obs: AlertObservation, window: Range<EpochMillis>,
                     now: EpochMillis) -> String {
        "\(rule.name) \(state.status.name) - \(text(rule: rule, state: state, observation: obs, window: window, now: now))"
            + " | \(perfdata(rule: rule, value: obs.value))"
    }

    static func text(rule: AlertRule, state: AlertState, observation obs: AlertObservation, window: Range<EpochMillis>,
                     now: EpochMillis) -> String {
        let what = rule.series ?? "emissions of \(rule.group ?? "?")"
        let span = "\(hhmm(window.lowerBound))–\(hhmm(window.upperBound))Z"
        if let since = obs.staleSince {
            return "stale: \(obs.subject ?? what) marked stale at \(RFC3339.format(since)) (Sparkplug edge node or device offline)"
        }
        guard let v = obs.value else { return "no data for \(what) in \(span)" }
        if let newest = obs.newestTs, now - newest > rule.effectiveStaleAfter {
            return "stale data for \(what): newest reading \(RFC3339.format(newest))"
        }
        let agg = rule.series != nil ? rule.agg.rawValue : "kg CO2e"
        var t = "\(obs.subject ?? what) \(agg) \(shown(v)) over \(span)"
        let cmp = rule.highIsBad ? ">" : "<"
        switch state.status {
        case .critical: if let c = rule.crit { t += " (crit \(cmp) \(shown(c)))" }
        case .warning: if let w = rule.warn { t += " (warn \(cmp) \(shown(w)))" }
        default: break
        }
        if let p = state.pending, let since = state.pendingSince {
            t += "; \(p.name) pending since \(hhmm(since))Z (for \(DurationParser.format(rule.holdFor)))"
        }
        return t
    }

    /// `'rule'=value;warn;crit` (empty value when missing, as the plugin guidelines allow `U`).
    static func perfdata(rule: AlertRule, value: Double?) -> String {
        let v = value.flatMap { NumberText.rounded($0, decimals: 3) } ?? "U"
        let w = rule.warn.flatMap { NumberText.rounded($0, decimals: 3) } ?? ""
        let c = rule.crit.flatMap { NumberText.rounded($0, decimals: 3) } ?? ""
        return "'\(rule.name)'=\(v);\(w);\(c)"
    }

    /// A value in the status text, rounded as a table shows it.
    private static func shown(_ v: Double) -> String { NumberText.rounded(v, decimals: 3) ?? "U" }

    static func hhmm(_ ms: EpochMillis) -> String {
        String(RFC3339.format(ms).dropFirst(11).prefix(5))
    }
}
