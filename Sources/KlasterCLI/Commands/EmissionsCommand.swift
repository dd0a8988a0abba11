import ArgumentParser
import KlasterCore
import KlasterStore

/// `klaster emissions`: CO2e from bucket aggregates × emission factors, applied at query time.
struct EmissionsCommand: APICommand {
    static let configuration = CommandConfiguration(
        commandName: "emissions",
        abstract: "CO2e from bucket aggregates x emission factors.",
        discussion: """
            Counter deltas × factor; rate gauges (kg/h) integrated hour by hour (mean × hours; an hour \
            without readings is a gap). Factors from [[factors]], or the built-in defaults (docs/domain.md) when \
            none are configured. Scopes are reported apart; with market-based scope-2 factors, --by scope \
            shows scope 2 both ways (method location and market). --every 1d, 1mo, 1q, 1y are days, months, \
            quarters and years of buckets.timezone (column timezone); other widths are periods counted from \
            --from. Starts are RFC 3339 UTC.
            """
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    @Option(parsing: .unconditional, help: "Start (RFC 3339, epoch ms, now, -7d).")
    var from: String

    @Option(parsing: .unconditional, help: "End, exclusive.")
    var to: String

    @Option(parsing: .unconditional, help: "Period of the output rows: 1d, 1mo, 1q, 1y (local calendar of buckets.timezone), or a multiple of a stored width counted from --from (the last row ends at --to and may be shorter). Default: one row for the whole range.")
    var every: String?

    @Option(help: "Group by plant, cluster or scope.")
    var by: String = "plant"

    @Option(help: ArgumentHelp("Scope-2 method (default emissions.scope2_method): location or market.", visibility: .hidden))
    var method: String?

    @Option(help: ArgumentHelp("Current time (tests).", visibility: .hidden))
    var now: String?

    func run() async throws {
        try emit(output.resolved, to: StandardOutput.writeBytes)
    }

    /// The output in `format`, to `sink` (stdout, or the JSON API's body).
    func emit(_ format: OutputFormat, to sink: @escaping ([UInt8]) throws(KlasterError) -> Void) throws {
        let now = try EmissionsData.clock(now)
        let from = try TimeSpec.parse(self.from, now: now)
        let to = try TimeSpec.parse(self.to, now: now)
        guard let grouping = EmissionGrouping(rawValue: by) else {
            throw KlasterError(.usage, "bad --by '\(by)'", hint: "use plant, cluster or scope")
        }
        var method: EmissionFactor.Method?
        if let name = self.method {
            guard let m = EmissionFactor.Method(rawValue: name) else {
                throw KlasterError(.usage, "bad --method '\(name)'", hint: "use location or market")
            }
            method = m
        }
        guard from < to else {
            throw KlasterError(.usage, "--from \(RFC3339.format(from)) is not before --to \(RFC3339.format(to))", hint: "swap them")
        }
        // A negative --every is a usage error before the database is opened.
        if let every, every.hasPrefix("-") { _ = try DurationParser.parse(every) }
        let config = try options.loadConfig()
        let data = try EmissionsData(config: config, now: now, method: method)
        // Both scope-2 methods side by side when market factors exist and no method was forced.
        let dual = grouping == .scope && method == nil && data.factors.hasMarketFactors
        let market = FactorTable(data.factors.factors, method: .market)
        let location = FactorTable(data.factors.factors, method: .location)
        func rows(_ c: (EmissionsData) throws(KlasterError) -> [EmissionContribution]) throws(KlasterError) -> [EmissionRow] {
            guard dual else { return grouping.rows(try c(data)) }
            return grouping.dualScope2Rows(location: try c(data.with(factors: location)), market: try c(data.with(factors: market)))
        }
        var zone = "UTC"
        var widthLabel: String?
        let out: [EmissionRow]
        if let every, let unit = CalendarUnit(every: every) {
            zone = data.calendar.identifier
            widthLabel = unit.rawValue
            out = try rows { (d: EmissionsData) throws(KlasterError) in try d.calendarContributions(from: from, to: to, unit: unit) }
        } else if let every {
            let width = try DurationParser.parse(every)
            guard width > 0 else { throw KlasterError(.usage, "--every must be positive", hint: "e.g. --every 1d") }
            out = try rows { (d: EmissionsData) throws(KlasterError) in try d.contributions(periodsFrom: from, to: to, every: width) }
        } else {
            // One row per group for the whole range, which need not align to any stored width.
            out = try rows { (d: EmissionsData) throws(KlasterError) in try d.total(from: from, to: to) }
        }
        var table = OutputTable(columns: [
            .text("group"), .text("start", header: "start (UTC)"), .text("width"), .number("scope"),
            .number("co2e_kg", header: "co2e", unit: "kg"), .text("method"), .text("timezone", header: "periods in"),
        ])
        for r in out {
            table.append([.text(r.group), .text(RFC3339.format(r.start)), .text(widthLabel ?? DurationParser.format(r.width.millis)),
                          .int(Int64(r.scope.rawValue)), .number(r.co2eKg), .text(orNull: r.method?.rawValue), .text(zone)])
        }
        try sink(Array(table.render(format).utf8))
    }
}
