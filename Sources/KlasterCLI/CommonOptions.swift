import ArgumentParser
import KlasterCore
import KlasterStore

#if canImport(Glibc)
import Glibc
#endif

/// Options every subcommand takes (README "CLI reference").
/// Owner: store-cli (extend here; other commands use it as is).
public struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (TOML); default ./klaster.toml if present.")
    public var config: String?

    @Option(name: .long, help: "Database path; overrides storage.path. A postgresql:// URL (no password) selects the PostgreSQL backend and overrides storage.url.")
    public var db: String?

    public init() {}

    /// The config file in effect: `--config`, or `./klaster.toml`.
    public var configPath: String { config ?? ConfigLoader.defaultPath }

    /// Loads the config (a missing default file gives the defaults; a missing
    /// `--config` file is exit 66) and applies `--db` over `storage.path`.
    /// - Throws: `KlasterError` as `ConfigLoader.load` does.
    public func loadConfig() throws(KlasterError) -> KlasterConfig {
        var cfg = try ConfigLoader.load(path: configPath, required: config != nil)
        if let db {
            if db.hasPrefix("postgresql://") || db.hasPrefix("postgres://") {
                guard ConfigLoader.uriPassword(db) == nil else {
                    throw KlasterError(.usage, "--db holds a password", hint: "never put it on the command line: use storage.password_file or KLASTER_PG_PASSWORD")
                }
                cfg.storage.backend = .postgres
                cfg.storage.url = db
            } else {
                cfg.storage.path = db
            }
        }
        return cfg
    }
}

/// `--format table|csv|json` for every read command.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, csv, json
}

/// The `--format` option group. Without `--format`: `table` when stdout is a
/// terminal, `csv` otherwise — a pipe gets a machine-readable
/// header row with the same columns as the table.
public struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table (default on a terminal), csv (default otherwise), json (JSON Lines).")
    public var format: OutputFormat?

    public init() {}

    /// The format in effect.
    public var resolved: OutputFormat {
        if let format { return format }
        return isatty(STDOUT_FILENO) != 0 ? .table : .csv
    }
}

/// The wall clock in epoch ms (the CLI's `now`).
func wallClockMillis() -> EpochMillis {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return EpochMillis(ts.tv_sec) * 1000 + EpochMillis(ts.tv_nsec / 1_000_000)
}
