import ArgumentParser
import KlasterCore

// Owner: emissions. Placeholder until the issue that builds it lands.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Write a self-contained HTML report with SVG charts.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster report' is not built yet", hint: "see the open issues")
    }
}
