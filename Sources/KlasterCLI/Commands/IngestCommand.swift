import ArgumentParser
import KlasterCore

// Owner: mqtt-ingest. Placeholder until the issue that builds it lands.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Subscribe to the broker, aggregate and store readings (the daemon).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        throw KlasterError(.software, "'klaster ingest' is not built yet", hint: "see the open issues")
    }
}
