import ArgumentParser
import KlasterCore

#if canImport(Glibc)
import Glibc
#endif

/// The root `klaster` command; every subcommand is a nested struct in its own file.
public struct KlasterCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "klaster",
        abstract: "Telemetry backbone of the Sumqayıt NextGen industrial cluster: MQTT ingest, time buckets, emissions and targets.",
        subcommands: [
            IngestCommand.self, SimulateCommand.self, ImportCommand.self, QueryCommand.self,
            SeriesCommand.self, StatsCommand.self, DeadletterCommand.self, DBCommand.self,
            EmissionsCommand.self, TargetsCommand.self, CbamCommand.self, CheckCommand.self, ReportCommand.self,
        ]
    )
    public init() {}
}

/// Entry point used by the `klaster` executable: runs the command and turns a
/// `KlasterError` into the contract's one stderr line and sysexits code.
public enum KlasterMain {
    public static func run() async {
        do {
            var command = try KlasterCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            try StandardOutput.finish()
        } catch let error as KlasterError {
            fail(error)
        } catch {
            usageFailure(error)
        }
    }

    /// swift-argument-parser errors: help and explicit exit codes behave as the
    /// library does; usage errors become the contract's one line with EX_USAGE.
    static func usageFailure(_ error: any Error) -> Never {
        let code = KlasterCommand.exitCode(for: error)
        let message = KlasterCommand.message(for: error)
        if error is ArgumentParser.ExitCode || code == .success || message.isEmpty {
            KlasterCommand.exit(withError: error)
        }
        var what = message.split(separator: "\n").first.map(String.init) ?? message
        if what.hasPrefix("Error: ") { what.removeFirst("Error: ".count) }
        let args = CommandLine.arguments.dropFirst()
        let names = KlasterCommand.configuration.subcommands.compactMap { $0.configuration.commandName }
        let sub = args.first(where: { names.contains($0) }).map { " \($0)" } ?? ""
        fail(KlasterError(.usage, what, hint: "see 'klaster\(sub) --help'"))
    }

    /// Prints `klaster: <what> (<hint>)` to stderr and exits with the error's code.
    public static func fail(_ error: KlasterError) -> Never {
        var line = "klaster: \(error.description)\n"
        line.withUTF8 { buf in _ = write(STDERR_FILENO, buf.baseAddress, buf.count) }
        exit(error.code.rawValue)
    }
}
