import ArgumentParser
import KlasterCore
import KlasterStore

/// `klaster stats`: ingest totals.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Ingest totals: messages, readings, duplicates, late, dead letters.",
        discussion: "readings counts distinct stored readings; buckets counts bucket rows over all widths.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    func run() async throws {
        let cfg = try options.loadConfig()
        let store = try cfg.openStoreForReading()
        let stats = try store.stats()
        try StandardOutput.write(Self.render(stats, output.resolved))
    }

    static func render(_ s: StoreStats, _ format: OutputFormat) -> String {
        let byReason = s.deadLettersByReason.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let fields: [(String, OutputCell)] = [
            ("messages", .int(s.messages)), ("readings", .int(s.readings)), ("duplicates", .int(s.duplicates)),
            ("late", .int(s.late)), ("deadletter", .int(s.deadLetters)), ("deadletter_by_reason", .counts(byReason)),
            ("series", .int(s.series)), ("buckets", .int(s.buckets)),
        ]
        if format == .table {
            // One "name  value" line per field, dead letters by reason indented below their total.
            var t = OutputTable(columns: [.text("name", header: "total"), .number("value", header: "count")])
            for (name, cell) in fields {
                if case .counts(let kv) = cell {
                    for (k, v) in kv { t.append([.text("  deadletter:\(k)"), .int(v)]) }
                } else {
                    t.append([.text(name), cell])
                }
            }
            return t.render(.table)
        }
        var t = OutputTable(columns: fields.map { OutputColumn.number($0.0) })
        t.append(fields.map(\.1))
        return t.render(format)
    }
}
