import ArgumentParser
import KlasterCore
import KlasterStore

/// `klaster series [GLOB]`: known series with kind, unit, first/last ts, count.
struct SeriesCommand: APICommand {
    static let configuration = CommandConfiguration(
        commandName: "series", abstract: "Known series with kind, unit, first/last reading and count.",
        discussion: "first, last and count are of aggregated readings (bad-quality and late ones excluded), from the largest bucket width.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    @Argument(help: "Series key glob (default: all).")
    var glob: String?

    func run() async throws {
        try emit(output.resolved, to: StandardOutput.writeBytes)
    }

    /// The output in `format`, to `sink` (stdout, or the JSON API's body).
    func emit(_ format: OutputFormat, to sink: @escaping ([UInt8]) throws(KlasterError) -> Void) throws {
        let cfg = try options.loadConfig()
        if let glob { _ = try SeriesGlob(glob) }
        let store = try cfg.openStoreForReading()
        try sink(Array(Self.table(try store.series(glob: glob)).render(format).utf8))
    }

    static func table(_ list: [SeriesSummary]) -> OutputTable {
        var t = OutputTable(columns: [.text("series"), .text("plant"), .text("quantity"), .text("kind"), .text("unit"),
                                      .text("first", header: "first (UTC)"), .text("last", header: "last (UTC)"), .number("count"),
                                      .text("stale_since", header: "stale since (UTC)")])
        for s in list {
            t.append([.text(s.info.key), .text(orNull: s.info.plant), .text(orNull: s.info.quantity),
                      .text(s.info.kind.rawValue), .text(s.info.unit),
                      .text(orNull: s.firstTs.map(RFC3339.format)), .text(orNull: s.lastTs.map(RFC3339.format)),
                      .int(s.count), .text(orNull: s.staleSince.map(RFC3339.format))])
        }
        return t
    }
}
