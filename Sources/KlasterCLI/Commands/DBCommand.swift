import ArgumentParser
import KlasterCore

// Owner: store-cli. Placeholder until the issue that builds it lands.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Database maintenance: migrate, rebuild, vacuum.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster db' is not built yet", hint: "see the open issues")
    }
}
