import ArgumentParser
import KlasterCore

// Owner: simulate-demo. Placeholder until the issue that builds it lands.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "simulate", abstract: "Publish a realistic NextGen meter fleet to the broker.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster simulate' is not built yet", hint: "see the open issues")
    }
}
