import ArgumentParser
import KlasterCore

// Owner: emissions. Placeholder until the issue that builds it lands.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Evaluate alert rules once (Nagios plugin output and exit codes).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster check' is not built yet", hint: "see the open issues")
    }
}
