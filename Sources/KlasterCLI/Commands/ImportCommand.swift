import ArgumentParser
import KlasterCore

// Owner: store-cli. Placeholder until the issue that builds it lands.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Backfill readings from CSV, JSON lines or line-protocol files.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster import' is not built yet", hint: "see the open issues")
    }
}
