import ArgumentParser
import Foundation
import KlasterCore

/// `klaster report`: one self-contained HTML page (inline CSS and SVG, no scripts, no fetches).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A self-contained HTML page with SVG charts: emissions vs target pathway, energy by plant.",
        discussion: "Cumulative emissions against each target, energy and gas by plant per day, top series, alert states, CBAM embedded emissions ([[cbam.goods]]) and data quality. Years of buckets.timezone."
    )

    @OptionGroup var options: CommonOptions

    @Option(help: "The HTML file to write.")
    var out: String

    @Option(help: "Year of the target panels and CBAM section (default: the current year in buckets.timezone).")
    var year: Int?

    @Option(help: "Days shown in the energy and gas charts.")
    var days: Int = 14

    @Option(help: ArgumentHelp("Current time (tests).", visibility: .hidden))
    var now: String?

    func validate() throws {
        guard (1...366).contains(days) else { throw ValidationError("--days must be between 1 and 366") }
    }

    func run() async throws {
        let now = try EmissionsData.clock(now)
        let config = try options.loadConfig()
        let data = try EmissionsData(config: config, now: now)
        let model = try ReportBuilder.build(data, year: year ?? data.calendar.year(of: now), days: days)
        let html = ReportPage.render(model)
        try OutputFile.write(Array(html.utf8), to: out)
    }
}
