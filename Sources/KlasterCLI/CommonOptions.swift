import ArgumentParser

/// Options every subcommand takes (CONTRACT.md "Names").
/// Owner: store-cli (extend here; other commands use it as is).
public struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (TOML).")
    public var config: String = "klaster.toml"

    @Option(name: .long, help: "Database path; overrides storage.path.")
    public var db: String?

    public init() {}
}
