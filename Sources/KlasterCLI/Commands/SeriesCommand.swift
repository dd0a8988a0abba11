import ArgumentParser
import KlasterCore

// Owner: store-cli. Placeholder until the issue that builds it lands.
struct SeriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "series", abstract: "Known series with kind, unit, first/last ts and count.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster series' is not built yet", hint: "see the open issues")
    }
}
