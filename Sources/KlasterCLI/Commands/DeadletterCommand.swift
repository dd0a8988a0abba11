import ArgumentParser
import KlasterCore

// Owner: store-cli. Placeholder until the issue that builds it lands.
struct DeadletterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deadletter", abstract: "Rejected messages and why.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster deadletter' is not built yet", hint: "see the open issues")
    }
}
