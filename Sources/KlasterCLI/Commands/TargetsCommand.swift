import ArgumentParser
import KlasterCore

/// `klaster targets`: progress against each decarbonisation target.
struct TargetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "Progress against each decarbonisation target.",
        discussion: """
            Absolute targets follow the linear pathway base_t × (1 − reduction × (year − base_year) / \
            (target_year − base_year)); the allowance to date is pro rata by elapsed time in the year (UTC). \
            The projection extrapolates the run rate since data began. Intensity targets divide the \
            plant's emissions by its production_t deltas. Status: on_track, at_risk (one of allowance to \
            date / year exceeded), off_track (both), no_data.
            """
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    @Option(help: "Year to report (default: the current UTC year).")
    var year: Int?

    @Option(help: ArgumentHelp("Current time (tests).", visibility: .hidden))
    var now: String?

    func run() async throws {
        let now = try EmissionsData.clock(now)
        let config = try options.loadConfig()
        let year = year ?? CalendarYear.year(of: now)
        guard (1...9998).contains(year) else { throw KlasterError(.usage, "bad --year \(year)", hint: "e.g. --year 2026") }
        let data = try EmissionsData(config: config, now: now)
        let progress = try data.targetProgress(year: year).progress
        var table = EmissionsOutput(columns: [
            .init(json: "target", header: "TARGET", numeric: false),
            .init(json: "scope", header: "SCOPE", numeric: false),
            .init(json: "plant", header: "PLANT", numeric: false),
            .init(json: "year", header: "YEAR", numeric: true),
            .init(json: "allowed_year_t", header: "ALLOWED YEAR (t)", numeric: true),
            .init(json: "allowed_to_date_t", header: "ALLOWED TO DATE (t)", numeric: true),
            .init(json: "actual_to_date_t", header: "ACTUAL TO DATE (t)", numeric: true),
            .init(json: "projected_year_t", header: "PROJECTED YEAR (t)", numeric: true),
            .init(json: "status", header: "STATUS", numeric: false),
            .init(json: "kind", header: "KIND", numeric: false),
            .init(json: "allowed_intensity", header: "ALLOWED (t/t)", numeric: true),
            .init(json: "actual_intensity", header: "ACTUAL (t/t)", numeric: true),
        ])
        for p in progress {
            table.rows.append([
                .text(p.target.name), .text(p.target.scope.rawValue), .optional(p.target.plant),
                .integer(Int64(p.year)),
                .number(p.allowedYearT, digits: 3), .number(p.allowedToDateT, digits: 3),
                .number(p.actualToDateT, digits: 3), .number(p.projectedYearT, digits: 3),
                .text(p.status.rawValue), .text(p.target.kind.rawValue),
                .number(p.allowedIntensity, digits: 4), .number(p.actualIntensity, digits: 4),
            ])
        }
        print(table.render(output.resolved), terminator: "")
    }
}
