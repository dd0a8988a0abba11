import ArgumentParser
import KlasterCore
import KlasterStore

/// `klaster emissions`: CO2e from bucket aggregates × emission factors, applied at query time.
struct EmissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emissions",
        abstract: "CO2e from bucket aggregates x emission factors.",
        discussion: """
            Counter deltas × factor; rate gauges (kg/h) integrated hour by hour (mean × hours; an hour \
            without readings is a gap). Factors from [[factors]], or the built-in defaults (docs/domain.md) when \
            none are configured. Scopes are reported apart. Times UTC.
            """
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    @Option(parsing: .unconditional, help: "Start (RFC 3339, epoch ms, now, -7d).")
    var from: String

    @Option(parsing: .unconditional, help: "End, exclusive.")
    var to: String

    @Option(help: "Period of the output rows (a multiple of a stored width), counted from --from; the last row ends at --to and may be shorter (its width says so). Default: one row for the whole range.")
    var every: String?

    @Option(help: "Group by plant, cluster or scope.")
    var by: String = "plant"

    @Option(help: ArgumentHelp("Scope-2 method: location or market.", visibility: .hidden))
    var method: String = "location"

    @Option(help: ArgumentHelp("Current time (tests).", visibility: .hidden))
    var now: String?

    func run() async throws {
        let now = try EmissionsData.clock(now)
        let from = try TimeSpec.parse(from, now: now)
        let to = try TimeSpec.parse(to, now: now)
        guard let grouping = EmissionGrouping(rawValue: by) else {
            throw KlasterError(.usage, "bad --by '\(by)'", hint: "use plant, cluster or scope")
        }
        guard let method = EmissionFactor.Method(rawValue: method) else {
            throw KlasterError(.usage, "bad --method '\(method)'", hint: "use location or market")
        }
        guard from < to else {
            throw KlasterError(.usage, "--from \(RFC3339.format(from)) is not before --to \(RFC3339.format(to))", hint: "swap them")
        }
        let config = try options.loadConfig()
        let data = try EmissionsData(config: config, now: now, method: method)
        let rows: [EmissionRow]
        if let every {
            let width = try DurationParser.parse(every)
            guard width > 0 else { throw KlasterError(.usage, "--every must be positive", hint: "e.g. --every 1d") }
            rows = grouping.rows(try data.contributions(periodsFrom: from, to: to, every: width))
        } else {
            // One row per group for the whole range, which need not align to any stored width.
            rows = grouping.rows(try data.total(from: from, to: to))
        }
        var table = OutputTable(columns: [
            .text("group"), .text("start", header: "start (UTC)"), .text("width"), .number("scope"),
            .number("co2e_kg", header: "co2e", unit: "kg"),
        ])
        for r in rows {
            table.append([.text(r.group), .text(RFC3339.format(r.start)), .text(DurationParser.format(r.width.millis)),
                          .int(Int64(r.scope.rawValue)), .number(r.co2eKg)])
        }
        try StandardOutput.write(table.render(output.resolved))
    }
}
