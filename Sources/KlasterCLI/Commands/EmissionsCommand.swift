import ArgumentParser
import KlasterCore

// Owner: emissions. Placeholder until the issue that builds it lands.
struct EmissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "emissions", abstract: "CO2e from bucket aggregates x emission factors.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster emissions' is not built yet", hint: "see the open issues")
    }
}
