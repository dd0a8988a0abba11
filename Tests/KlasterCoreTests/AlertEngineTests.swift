import Testing
@testable import KlasterCore

private let t0: EpochMillis = 1_772_366_400_000 // 2026-03-01T12:00Z, a 15m boundary
private let q: Int64 = 900_000                   // 15 minutes

@Suite struct AlertEngineTests {
    /// The example rule of deploy/klaster.example.toml, without `for`.
    let stack = AlertRule(name: "stack-co2-high", series: "socar-karbamid/*/co2_rate_kgh", every: 900_000, agg: .mean,
                          warn: 2200, crit: 2500, warnReset: 2100, critReset: 2400, holdFor: 0)

    @Test func classifyHighIsBadWithHysteresis() {
        #expect(stack.classify(2150, from: .ok) == .ok)
        #expect(stack.classify(2200, from: .ok) == .ok) // on the threshold: not past it
        #expect(stack.classify(2250, from: .ok) == .warning)
        #expect(stack.classify(2600, from: .ok) == .critical)
        #expect(stack.classify(2150, from: .warning) == .warning) // still above warn_reset 2100
        #expect(stack.classify(2050, from: .warning) == .ok)
        #expect(stack.classify(2450, from: .warning) == .warning) // 2450 < crit 2500
        #expect(stack.classify(2450, from: .critical) == .critical) // ≥ crit_reset 2400
        #expect(stack.classify(2350, from: .critical) == .warning)
        #expect(stack.classify(2000, from: .critical) == .ok)
    }

    @Test func classifyLowIsBad() {
        // Minimum steam flow: warn below 10 t/h, crit below 5, clear above 12 / 7.
        let low = AlertRule(name: "steam-low", series: "*/*/steam_flow_th", every: q, agg: .min,
                            warn: 10, crit: 5, warnReset: 12, critReset: 7)
        #expect(!low.highIsBad)
        #expect(low.classify(11, from: .ok) == .ok)
        #expect(low.classify(9, from: .ok) == .warning)
        #expect(low.classify(4, from: .ok) == .critical)
        #expect(low.classify(6, from: .critical) == .critical)
        #expect(low.classify(8, from: .critical) == .warning)
        #expect(low.classify(11, from: .warning) == .warning)
        #expect(low.classify(13, from: .warning) == .ok)
    }

    @Test func validationRejectsResetOnTheWrongSide() {
        var bad = stack
        bad.warnReset = 2300
        #expect(throws: KlasterError.self) { try bad.validate() }
        var low = AlertRule(name: "l", series: "x", every: q, agg: .min, warn: 10, crit: 5, warnReset: 9)
        #expect(throws: KlasterError.self) { try low.validate() }
        low.warnReset = 12
        #expect(throws: Never.self) { try low.validate() }
        #expect(throws: Never.self) { try stack.validate() }
    }

    @Test func windowIsTheLastCompleteOne() {
        #expect(stack.window(at: t0 + 14 * 60_000) == (t0 - q)..<t0)
        #expect(stack.window(at: t0 + q) == t0..<(t0 + q))
    }

    /// Judges the rule just after each window closes, from the data of all
    /// windows so far (nil = no data; nothing before t0), and reports against
    /// the previous report — as the daemon does.
    private func run(_ rule: AlertRule, _ values: [Double?]) -> (statuses: [AlertStatus], transitions: [AlertTransition]) {
        var reported: AlertState?
        var statuses: [AlertStatus] = []
        var transitions: [AlertTransition] = []
        for i in values.indices {
            let now = t0 + Int64(i + 1) * rule.every + 1_000 // just after window i closed
            let judged = judge(rule, Array(values[0...i]), now: now)
            #expect(judged.window == (t0 + Int64(i) * rule.every)..<(t0 + Int64(i + 1) * rule.every))
            let (next, transition) = AlertEngine.report(rule: rule, judged: judged, reported: reported)
            reported = next
            if let transition { transitions.append(transition) }
            statuses.append(next.status)
        }
        return (statuses, transitions)
    }

    /// The judgement at `now` when window k (from t0) holds `values[k]`.
    private func judge(_ rule: AlertRule, _ values: [Double?], now: EpochMillis) -> AlertJudgement {
        let windows = AlertEngine.windows(for: rule, at: now)
        let obs = windows.map { w -> AlertObservation in
            let k = Int((w.lowerBound - t0) / rule.every)
            guard w.lowerBound >= t0, k < values.count, let v = values[k] else { return .missing }
            return AlertObservation(value: v, newestTs: w.upperBound - 1)
        }
        return AlertEngine.judge(rule: rule, windows: windows, observations: obs, now: now)
    }

    @Test func hysteresisDoesNotFlapOnNoise() {
        // A signal wandering ±60 around 2 200: crosses warn 12 times but never drops below warn_reset 2 100.
        let noisy: [Double] = [2150, 2230, 2180, 2250, 2160, 2240, 2190, 2210, 2170, 2260, 2140, 2220, 2180, 2230, 2150]
        let with = run(stack, noisy)
        #expect(with.transitions.count == 1)
        #expect(with.transitions.first?.to == .warning)
        #expect(with.transitions.first?.threshold == 2200)
        #expect(with.statuses.last == .warning)
        // Without reset thresholds the same signal flaps at every crossing.
        var plain = stack
        plain.warnReset = nil
        plain.critReset = nil
        let without = run(plain, noisy)
        #expect(without.transitions.count == 14)
        // Only going past 2 100 clears it.
        let cleared = run(stack, noisy + [2090])
        #expect(cleared.statuses.last == .ok)
        #expect(cleared.transitions.last?.threshold == 2100)
    }

    @Test func holdForDelaysTheChange() {
        var rule = stack
        rule.holdFor = 1_800_000 // 30 minutes = two 15-minute windows
        // Window 0 high: pending since its start, held 15 min → still OK. Window 1 high: held 30 min → WARNING.
        let r = run(rule, [2300, 2300, 2300])
        #expect(r.statuses == [.ok, .warning, .warning])
        #expect(r.transitions.count == 1)
        #expect(r.transitions[0].since == t0 + 2 * q)
        // A dip in between restarts the count.
        let broken = run(rule, [2300, 2000, 2300, 2300])
        #expect(broken.statuses == [.ok, .ok, .ok, .warning])
        // Clearing is delayed as well.
        let clear = run(rule, [2300, 2300, 2000, 2000, 2000])
        #expect(clear.statuses == [.ok, .warning, .warning, .ok, .ok])
        // An escalation to CRITICAL waits too, while WARNING stays shown.
        let up = run(rule, [2300, 2300, 2600, 2600])
        #expect(up.statuses == [.ok, .warning, .warning, .critical])
    }

    @Test func missingDataIsUnknownAtOnceAndKeepsTheLevel() {
        let r = run(stack, [2600, nil, 2450, 2350])
        // CRITICAL, then UNKNOWN; data back at 2 450 (≥ crit_reset) resumes CRITICAL, 2 350 drops to WARNING.
        #expect(r.statuses == [.critical, .unknown, .critical, .warning])
        #expect(r.transitions.map(\.to) == [.critical, .unknown, .critical, .warning])
    }

    @Test func staleDataIsUnknown() {
        let now = t0 + q + 1_000
        let windows = AlertEngine.windows(for: stack, at: now)
        var obs = [AlertObservation](repeating: .missing, count: windows.count)
        obs[obs.count - 1] = AlertObservation(value: 100, newestTs: now - 2 * q - 1) // older than 2 × every
        #expect(AlertEngine.judge(rule: stack, windows: windows, observations: obs, now: now).state.status == .unknown)
    }

    /// The issue's case: a first run, with no saved state, of a rule whose
    /// condition held in every window of the last two hours is WARNING —
    /// not "pending since now" — and says since when the data has it.
    @Test func forIsJudgedFromTheDataOnAFreshState() {
        var rule = stack
        rule.holdFor = 1_800_000 // 30 minutes
        let values = [Double?](repeating: 2300, count: 8) // 2 hours of 15-minute windows above warn
        let now = t0 + 8 * q + 1_000
        let judged = judge(rule, values, now: now)
        #expect(judged.state.status == .warning)
        #expect(judged.state.pending == nil)
        // Held from t0; `for` is met at the end of the second window.
        #expect(judged.state.since == t0 + 2 * q)
        #expect(judged.heldThroughout == false) // the replay saw it begin (windows before t0 had no data)
        let (fresh, transition) = AlertEngine.report(rule: rule, judged: judged, reported: nil)
        #expect(fresh.status == .warning)
        #expect(transition?.to == .warning)
        #expect(transition?.since == t0 + 2 * q)
        // A cron run, the daemon and a restarted daemon see the same data: the same answer, and nothing to publish again.
        let again = judge(rule, values, now: now + 60_000)
        #expect(again.state == judged.state)
        #expect(AlertEngine.report(rule: rule, judged: again, reported: fresh).1 == nil)
    }

    /// The demo's case: a window judged while its data was still arriving is
    /// UNKNOWN; once the data is stored, the next judgement is OK (values below both thresholds).
    @Test func lateDataChangesTheNextJudgement() {
        let now = t0 + 4 * q + 1_000
        let early = judge(stack, [2000, 2000, 2000, nil], now: now)
        #expect(early.state.status == .unknown)
        let (reported, _) = AlertEngine.report(rule: stack, judged: early, reported: nil)
        let late = judge(stack, [2000, 2000, 2000, 2050], now: now + 5_000)
        #expect(late.state.status == .ok)
        let (next, transition) = AlertEngine.report(rule: stack, judged: late, reported: reported)
        #expect(next.status == .ok)
        #expect(transition?.from == .unknown)
        #expect(transition?.to == .ok)
    }

    @Test func aLongStandingStateKeepsItsFirstReportedTime() {
        // CRITICAL through every replayed window: the data cannot say when it began, the first report can.
        let values = [Double?](repeating: 2600, count: 40)
        let now = t0 + 40 * q + 1_000
        let judged = judge(stack, values, now: now)
        #expect(judged.state.status == .critical)
        #expect(judged.heldThroughout)
        let first = AlertState(status: .critical, since: t0 + q, level: .critical, lastWindowEnd: t0 + q, value: 2600)
        let (kept, transition) = AlertEngine.report(rule: stack, judged: judged, reported: first)
        #expect(transition == nil)
        #expect(kept.since == t0 + q)
        #expect(AlertEngine.lookback(for: stack) == 12)
        var slow = stack
        slow.holdFor = 6 * 3_600_000
        #expect(AlertEngine.lookback(for: slow) == 52) // 2 × 24 windows + 4
    }

    @Test func observeTakesTheWorstSeries() {
        let a = info(1, "socar-karbamid/stack1/co2_rate_kgh", kind: .gauge)
        let b = info(2, "socar-karbamid/stack2/co2_rate_kgh", kind: .gauge)
        let w = t0..<(t0 + q)
        let rows: [(SeriesInfo, BucketRow)] = [
            (a, bucket(1, width: .minute, start: t0, values: [(t0, 2000), (t0 + 30_000, 2200)])),
            (a, bucket(1, width: .minute, start: t0 + 60_000, values: [(t0 + 60_000, 2300)])),   // stack1 mean (2000+2200+2300)/3 = 2166.7
            (b, bucket(2, width: .minute, start: t0, values: [(t0 + 5_000, 2400)])),              // stack2 mean 2400
            (b, bucket(2, width: .minute, start: t0 + q, values: [(t0 + q, 9999)])),              // outside the window
        ]
        let obs = stack.observe(rows: rows, window: w)
        #expect(obs.value == 2400)
        #expect(obs.subject == "socar-karbamid/stack2/co2_rate_kgh")
        #expect(obs.newestTs == t0 + 60_000)
        var maxRule = stack
        maxRule.agg = .max
        #expect(maxRule.observe(rows: rows, window: w).value == 2400)
        var countRule = stack
        countRule.agg = .count
        #expect(countRule.observe(rows: rows, window: w).value == 3)
        #expect(stack.observe(rows: [], window: w).value == nil)
    }

    @Test func transitionPayload() {
        let t = AlertTransition(rule: "stack-co2-high", from: .ok, to: .critical, value: 2612.5, threshold: 2500, since: t0)
        #expect(t.topic == "klaster/alerts/stack-co2-high")
        #expect(t.jsonPayload == #"{"rule":"stack-co2-high","since":"2026-03-01T12:00:00Z","status":"CRITICAL","threshold":2500,"value":2612.5}"#)
        let unknown = AlertTransition(rule: "r", from: .critical, to: .unknown, value: .nan, threshold: nil, since: t0)
        #expect(unknown.jsonPayload == #"{"rule":"r","since":"2026-03-01T12:00:00Z","status":"UNKNOWN","threshold":null,"value":null}"#)
        #expect(AlertStatus.worst([.ok, .unknown, .warning]) == .warning)
        #expect(AlertStatus.worst([.ok, .unknown]) == .unknown)
        #expect(AlertStatus.worst([AlertStatus]()) == .ok)
    }
}
