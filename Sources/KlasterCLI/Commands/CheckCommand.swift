import ArgumentParser
import KlasterCore
import KlasterStore

/// `klaster check`: evaluates the alert rules once, Nagios-plugin style.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate alert rules once (Nagios plugin output and exit codes).",
        discussion: """
            One line per rule: RULE STATUS - text | perfdata. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN \
            (worst rule wins, ranked CRITICAL > WARNING > UNKNOWN > OK; UNKNOWN when data is missing or stale). Each rule evaluates its last complete \
            `every` window; states persist in the database (table alert_state) so that `for` and the \
            reset thresholds work across cron runs.
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(help: "Evaluate only this rule.")
    var rule: String?

    @Option(help: ArgumentHelp("Current time (tests).", visibility: .hidden))
    var now: String?

    func run() async throws {
        let now = try EmissionsData.clock(now)
        let config = try options.loadConfig()
        var rules = config.alerts
        if let rule {
            rules = rules.filter { $0.name == rule }
            guard !rules.isEmpty else {
                throw KlasterError(.usage, "no alert rule named '\(rule)'",
                                   hint: config.alerts.isEmpty ? "add [[alerts]] to the config" : "rules: \(config.alerts.map(\.name).joined(separator: ", "))")
            }
        }
        for r in rules { try r.validate() }
        guard !rules.isEmpty else {
            print("KLASTER UNKNOWN - no [[alerts]] rules configured")
            throw ExitCode(AlertStatus.unknown.rawValue)
        }
        let data = try EmissionsData(config: config, now: now, writable: true)
        let evaluation = try AlertCheck.evaluate(rules: rules, data: data, save: true)
        for line in evaluation.lines { print(line) }
        let worst = AlertStatus.worst(evaluation.states.map(\.state.status))
        if worst != .ok { throw ExitCode(worst.rawValue) }
    }
}
