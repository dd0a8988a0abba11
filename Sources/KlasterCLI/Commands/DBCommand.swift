import ArgumentParser
import KlasterCore
import KlasterStore

/// `klaster db migrate|rebuild|vacuum`.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Database maintenance: migrate, rebuild, vacuum.",
        subcommands: [Migrate.self, Rebuild.self, Vacuum.self])

    /// Applies pending schema migrations (creating the database when missing).
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply schema migrations; creates the database if missing.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let cfg = try options.loadConfig()
            let store = try cfg.openStore(create: true, migrate: false)
            let (from, to) = try store.migrate()
            StandardOutput.note(from == to ? "\(store.location): schema version \(to), up to date\n"
                                           : "\(store.location): migrated schema version \(from) → \(to)\n")
        }
    }

    /// Recomputes buckets from raw readings, folding in late ones.
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the buckets of [from, to) from raw readings (folds in late readings).",
            discussion: "The range widens to whole buckets of the largest stored width; raw readings must still be within storage.raw_retention.")
        @OptionGroup var options: CommonOptions
        @Option(parsing: .unconditional, help: "Start: RFC 3339, epoch ms, now, or -24h / -7d.") var from: String
        @Option(parsing: .unconditional, help: "End (exclusive).") var to: String = "now"

        func run() async throws {
            let cfg = try options.loadConfig()
            let now = wallClockMillis()
            let from = try TimeSpec.parse(self.from, now: now)
            let to = try TimeSpec.parse(self.to, now: now)
            if from >= to { throw KlasterError(.usage, "--from \(self.from) is not before --to \(self.to)", hint: "swap them") }
            let store = try cfg.openStore(create: false)
            let n = try store.rebuild(from: from, to: to)
            StandardOutput.note("rebuilt buckets of \(RFC3339.format(from)) … \(RFC3339.format(to)) from \(n) raw readings\n")
        }
    }

    /// Deletes expired rows, then VACUUM.
    struct Vacuum: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete rows past storage.raw_retention / bucket_retention (in small batches), then VACUUM.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let cfg = try options.loadConfig()
            let store = try cfg.openStore(create: false)
            let n = try store.deleteExpired(now: wallClockMillis(), rawRetention: cfg.storage.rawRetention,
                                            bucketRetention: cfg.storage.bucketRetention)
            try store.vacuum()
            StandardOutput.note("deleted \(n) expired rows; vacuumed \(store.location)\n")
        }
    }
}
