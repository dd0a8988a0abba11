import ArgumentParser
import KlasterCore

// Owner: store-cli. Placeholder until the issue that builds it lands.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Bucket aggregates of series matching globs.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster query' is not built yet", hint: "see the open issues")
    }
}
