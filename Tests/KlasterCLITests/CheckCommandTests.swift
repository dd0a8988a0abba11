import Foundation
import KlasterCore
import KlasterStore
import KlasterTestSupport
import Testing

/// A stack CO2 rate every 5 minutes, 15-minute windows from 10:00 (2026-03-01):
/// A 2000 · B 2300 · C 2300 · D 2150 · E 2250 · F 2050 · G 2050 · H (no data).
@Suite struct CheckCommandTests {
    static let toml = EmissionsScenario.toml + """
        [[alerts]]
        name = "stack-high"
        series = "karbamid/*/co2_rate_kgh"
        every = "15m"
        agg = "mean"
        warn = 2200
        crit = 2500
        warn_reset = 2100
        crit_reset = 2400
        for = "30m"

        [[alerts]]
        name = "polymer-hourly"
        group = "polymer"
        every = "1h"
        agg = "sum"
        warn = 1000
        crit = 2000

        """

    static var csv: String {
        var lines = ["series,ts,value"]
        let windows: [Double] = [2000, 2300, 2300, 2150, 2250, 2050, 2050]
        for (w, v) in windows.enumerated() {
            for k in 0..<3 {
                let minute = w * 15 + k * 5
                // ±20 of noise that keeps each window's mean at v.
                let noise: Double = [-20, 0, 20][k]
                lines.append(String(format: "karbamid/stack1/co2_rate_kgh,2026-03-01T%02d:%02d:00Z,%.0f", 10 + minute / 60, minute % 60, v + noise))
            }
        }
        // Polymer: 3 000 kWh in the 11:00 hour → 1 200 kg CO2e (warn > 1 000).
        lines += ["polymer/m1/active_energy_kwh,2026-03-01T10:00:00Z,0", "polymer/m1/active_energy_kwh,2026-03-01T11:00:00Z,0",
                  "polymer/m1/active_energy_kwh,2026-03-01T11:30:00Z,3000"]
        return lines.joined(separator: "\n") + "\n"
    }

    func check(_ s: EmissionsScenario, _ now: String, rule: String? = "stack-high") throws -> CommandResult {
        try s.run(["check", "--now", "2026-03-01T\(now):00Z"] + (rule.map { ["--rule", $0] } ?? []))
    }

    @Test(arguments: StoreBackend.allCases) func forDelaysAndHysteresisHoldsAcrossCronRuns(backend: StoreBackend) throws {
        let s = try EmissionsScenario(toml: Self.toml, csv: Self.csv, backend: backend)
        var statuses: [Int32] = []
        var outputs: [String] = []
        for now in ["10:16", "10:31", "10:46", "10:50", "11:01", "11:16", "11:31", "11:46", "12:01"] {
            let r = try check(s, now)
            statuses.append(r.status)
            outputs.append(r.stdout)
        }
        // A OK; B high but `for` 30m not yet held; C WARNING; re-run in the same window unchanged;
        // D 2150 stays WARNING (above warn_reset 2100); E WARNING; F 2050 clears only after 30m → G OK; H no data → UNKNOWN.
        #expect(statuses == [0, 0, 1, 1, 1, 1, 1, 0, 3])
        #expect(outputs[0] == "stack-high OK - karbamid/stack1/co2_rate_kgh mean 2000 over 10:00–10:15Z | 'stack-high'=2000;2200;2500\n")
        #expect(outputs[1].contains("WARNING pending since 10:15Z (for 30m)"))
        #expect(outputs[2] == "stack-high WARNING - karbamid/stack1/co2_rate_kgh mean 2300 over 10:30–10:45Z (warn > 2200) | 'stack-high'=2300;2200;2500\n")
        #expect(outputs[4].hasPrefix("stack-high WARNING - karbamid/stack1/co2_rate_kgh mean 2150"))
        #expect(outputs[8] == "stack-high UNKNOWN - no data for karbamid/*/co2_rate_kgh in 11:45–12:00Z | 'stack-high'=U;2200;2500\n")
    }

    @Test func aFreshStateGivesTheSameAnswerAsTheCronRuns() throws {
        // `for` and hysteresis are judged from the stored windows, not from earlier runs: started at 10:46 on a
        // fresh database (no alert_state), window C closes a run B–C of 30 minutes above warn → WARNING, as in
        // the cron sequence above; D (2150, above warn_reset) stays WARNING; G clears.
        let s = try EmissionsScenario(toml: Self.toml, csv: Self.csv)
        let c = try check(s, "10:46")
        #expect(c.status == 1)
        #expect(c.stdout == "stack-high WARNING - karbamid/stack1/co2_rate_kgh mean 2300 over 10:30–10:45Z (warn > 2200) | 'stack-high'=2300;2200;2500\n")
        for (now, status) in [("11:01", Int32(1)), ("11:46", 0)] {
            let fresh = try EmissionsScenario(toml: Self.toml, csv: Self.csv)
            #expect(try check(fresh, now).status == status, "at \(now)")
        }
    }

    @Test(arguments: StoreBackend.allCases) func worstRuleWinsAndGroupRule(backend: StoreBackend) throws {
        let s = try EmissionsScenario(toml: Self.toml, csv: Self.csv, backend: backend)
        let r = try check(s, "12:01", rule: nil)
        // stack-high UNKNOWN (no data 11:45–12:00), polymer-hourly 3 000 kWh × 0.4 = 1 200 kg > 1 000 → WARNING; WARNING outranks UNKNOWN.
        #expect(r.status == 1)
        #expect(r.stdout == """
            stack-high UNKNOWN - no data for karbamid/*/co2_rate_kgh in 11:45–12:00Z | 'stack-high'=U;2200;2500
            polymer-hourly WARNING - polymer kg CO2e 1200 over 11:00–12:00Z (warn > 1000) | 'polymer-hourly'=1200;1000;2000

            """)
        try Golden.check(r.stdout, "check-worst.txt")
    }

    @Test func unknownRuleIsUsageError() throws {
        let s = try EmissionsScenario(toml: Self.toml, csv: Self.csv)
        let r = try check(s, "12:01", rule: "nope")
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("klaster: no alert rule named 'nope'"))
    }

    @Test func daemonHookPublishesTransitionsAndSharesStateWithCheck() throws {
        let s = try EmissionsScenario(toml: Self.toml, csv: Self.csv)
        let store = try SQLiteStore(path: s.db, durability: .process, create: false)
        let rule = AlertRule(name: "stack-high", series: "karbamid/*/co2_rate_kgh", every: 900_000, agg: .mean, warn: 2200, crit: 2500,
                             warnReset: 2100, critReset: 2400, holdFor: 1_800_000)
        let monitor = try AlertMonitor(store: store, rules: [rule], factors: [])
        let t1015: EpochMillis = 1_772_359_200_000 + 15 * 60_000 // 2026-03-01T10:15Z
        var published: [String] = []
        for k in 0..<5 { // windows A…E, each evaluated just after it closed (and once more, which changes nothing)
            let now = t1015 + Int64(k) * 900_000 + 1_000
            published += try monitor.evaluate(now: now).map(\.jsonPayload)
            #expect(try monitor.evaluate(now: now + 60_000).isEmpty)
        }
        // OK → WARNING once, at the end of window C (10:45), after `for` 30m; D (2150) does not clear it.
        #expect(published == [#"{"rule":"stack-high","since":"2026-03-01T10:45:00Z","status":"WARNING","threshold":2200,"value":2300}"#])
        // The cron check continues from the daemon's state: F clears only after 30 minutes.
        #expect(try check(s, "11:31").status == 1)
        #expect(try check(s, "11:46").status == 0)
    }
}
