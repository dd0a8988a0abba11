import ArgumentParser
import KlasterCore

// Owner: emissions. Placeholder until the issue that builds it lands.
struct TargetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "targets", abstract: "Progress against each decarbonisation target.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster targets' is not built yet", hint: "see the open issues")
    }
}
