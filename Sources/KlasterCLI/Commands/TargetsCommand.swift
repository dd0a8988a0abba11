import ArgumentParser
import KlasterCore

/// `klaster targets`: progress against each decarbonisation target.
struct TargetsCommand: APICommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "Progress against each decarbonisation target.",
        discussion: """
            Absolute targets follow the linear pathway base_t × (1 − reduction × (year − base_year) / \
            (target_year − base_year)); the allowance to date is pro rata by elapsed time in the year (the \
            year of buckets.timezone, named in column timezone). Scope 2 by emissions.scope2_method. \
            The projection extrapolates the run rate since data began. Intensity targets divide the \
            plant's emissions by its production_t deltas. Status: on_track, at_risk (one of allowance to \
            date / year exceeded), off_track (both), no_data.
            """
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    @Option(help: "Year to report (default: the current year in buckets.timezone).")
    var year: Int?

    @Option(help: ArgumentHelp("Current time (tests).", visibility: .hidden))
    var now: String?

    func run() async throws {
        try emit(output.resolved, to: StandardOutput.writeBytes)
    }

    /// The output in `format`, to `sink` (stdout, or the JSON API's body).
    func emit(_ format: OutputFormat, to sink: @escaping ([UInt8]) throws(KlasterError) -> Void) throws {
        let now = try EmissionsData.clock(now)
        let config = try options.loadConfig()
        let calendar = try LocalCalendar.named(config.buckets.timezone, option: "buckets.timezone")
        let year = year ?? calendar.year(of: now)
        guard (1...9998).contains(year) else { throw KlasterError(.usage, "bad --year \(year)", hint: "e.g. --year 2026") }
        let data = try EmissionsData(config: config, now: now)
        let progress = try data.targetProgress(year: year).progress
        var table = OutputTable(columns: [
            .text("target"), .text("scope"), .text("plant"), .number("year"),
            .number("allowed_year_t", header: "allowed_year", unit: "t"),
            .number("allowed_to_date_t", header: "allowed_to_date", unit: "t"),
            .number("actual_to_date_t", header: "actual_to_date", unit: "t"),
            .number("projected_year_t", header: "projected_year", unit: "t"),
            .text("status"), .text("kind"),
            .number("allowed_intensity", unit: "t/t", decimals: 4),
            .number("actual_intensity", unit: "t/t", decimals: 4),
            .text("timezone", header: "year in"), .text("scope2_method", header: "scope 2"),
        ])
        for p in progress {
            table.append([
                .text(p.target.name), .text(p.target.scope.rawValue), .text(orNull: p.target.plant),
                .int(Int64(p.year)),
                .number(orNull: p.allowedYearT), .number(orNull: p.allowedToDateT),
                .number(orNull: p.actualToDateT), .number(orNull: p.projectedYearT),
                .text(p.status.rawValue), .text(p.target.kind.rawValue),
                .number(orNull: p.allowedIntensity), .number(orNull: p.actualIntensity),
                .text(calendar.identifier), .text(data.factors.method.rawValue),
            ])
        }
        try sink(Array(table.render(format).utf8))
    }
}
