import ArgumentParser
import KlasterCore
import KlasterStore

/// `klaster query SERIES_GLOB… --from T --to T [--every W] [--format F]`.
struct QueryCommand: APICommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Bucket aggregates of series matching globs.",
        discussion: """
            Globs: * within one level, ** across levels, ? one character (e.g. 'socar-polymer/*/active_energy_kwh').
            Buckets are aligned in UTC; those whose start lies in [from, to) are shown (from rounded down to a bucket).
            --every is any multiple of a stored width (1m, 15m, 1h, 1d by default), merged from the largest stored width dividing it.
            A glob that matches no series is named on stderr; the exit code stays 0 (an empty result is not an error).
            --every 1d, 1mo, 1q, 1y are calendar days, months, quarters and years: in UTC, or with --tz ZONE \
            (an IANA name such as Asia/Baku) starting at local midnight, merged from hourly buckets (15-minute ones \
            for zones with :30/:45 offsets). start stays RFC 3339 UTC; a local day may be 23 or 25 hours long.
            """)

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    @Argument(help: "Series key globs.")
    var globs: [String]

    @Option(parsing: .unconditional, help: "Start: RFC 3339, epoch ms, now, or -24h / -7d.")
    var from: String = "-24h"

    @Option(parsing: .unconditional, help: "End (exclusive): RFC 3339, epoch ms, now, or a relative time.")
    var to: String = "now"

    // Unconditional: `--every -1h` must reach DurationParser (and its one-line
    // "is negative") instead of the parser's "Missing value".
    @Option(parsing: .unconditional, help: "Bucket width: a multiple of a stored width, e.g. 1m, 15m, 1h, 1d, 1w; or a calendar period 1d, 1mo, 1q, 1y.")
    var every: String = "1h"

    @Option(help: "IANA time zone of calendar periods (--every 1d, 1mo, 1q, 1y), e.g. Asia/Baku; default UTC.")
    var tz: String?

    func validate() throws {
        if globs.isEmpty { throw ValidationError("give at least one series glob, e.g. '**' for all") }
    }

    func run() async throws {
        try emit(output.resolved, to: StandardOutput.writeBytes)
    }

    /// The output in `format`, streamed to `sink` (stdout, or the JSON API's body).
    func emit(_ format: OutputFormat, to sink: @escaping ([UInt8]) throws(KlasterError) -> Void) throws {
        let cfg = try options.loadConfig()
        let now = wallClockMillis()
        let from = try TimeSpec.parse(self.from, now: now)
        let to = try TimeSpec.parse(self.to, now: now)
        let unit = CalendarUnit(every: self.every)
        if tz != nil && unit == nil {
            throw KlasterError(.usage, "--tz applies to calendar periods, not --every \(self.every)", hint: "use --every 1d, 1mo, 1q or 1y with --tz")
        }
        let calendar = try unit.map { _ throws(KlasterError) in try LocalCalendar.named(tz ?? "UTC", option: "--tz") }
        let every = unit == nil ? try DurationParser.parse(self.every) : 0
        var globs: [SeriesGlob] = []
        for g in self.globs { globs.append(try SeriesGlob(g)) }  // a bad glob is 64 before the db is touched
        if from > to { throw KlasterError(.usage, "--from \(self.from) is after --to \(self.to)", hint: "swap them") }
        let store = try cfg.openStoreForReading()
        let matched = try store.loadSeries().filter { s in globs.contains { $0.matches(s.key) } }
        // A glob that names nothing is most likely a typo: say so (stdout keeps its header, the exit code stays 0).
        for (text, glob) in zip(self.globs, globs) where !matched.contains(where: { glob.matches($0.key) }) {
            StandardOutput.note("klaster: no series matched '\(text)' (list the known ones with 'klaster series')\n")
        }
        // Units for the table headers come from the matched series, known before any row.
        let units = format == .table ? Set(matched.map(\.unit)) : []
        let writer = OutputWriter(format: format, columns: Self.columns(units: units), sink: sink)
        if let unit, let calendar, !(unit == .day && calendar.identifier == "UTC") {
            try store.forEachCalendarBucket(seriesGlob: self.globs, from: from, to: to, unit: unit, calendar: calendar) { (b: SeriesBucket) throws(KlasterError) in
                try writer.row(Self.cells(b, unitColumn: units.count > 1, width: unit.rawValue))
            }
        } else {
            try store.forEachBucket(seriesGlob: self.globs, from: from, to: to, every: unit == .day ? 86_400_000 : every) { (b: SeriesBucket) throws(KlasterError) in
                try writer.row(Self.cells(b, unitColumn: units.count > 1))
            }
        }
        try writer.finish()
    }

    /// The documented JSON fields (README "CLI reference"); the table puts the unit in the headers when all
    /// matched series share one, else adds a `unit` column.
    static func columns(units: Set<String>) -> [OutputColumn] {
        let unit = units.count == 1 ? units.first! : nil
        var cols: [OutputColumn] = [.text("series"), .text("start", header: "start (UTC)"), .text("width"), .number("count")]
        cols += ["min", "max", "sum", "mean", "first", "last", "delta"].map { OutputColumn.number($0, unit: unit) }
        if units.count > 1 { cols.append(.text("unit")) }
        return cols
    }

    /// - Parameter width: The width label of a calendar period (`1mo`), else the row's width.
    static func cells(_ b: SeriesBucket, unitColumn: Bool, width: String? = nil) -> [OutputCell] {
        let r = b.row
        let has = r.count > 0
        var cells: [OutputCell] = [
            .text(b.series.key), .text(RFC3339.format(r.start)), .text(width ?? r.width.description), .int(r.count),
            has ? .number(r.min) : .null, has ? .number(r.max) : .null, .number(r.sum),
            r.mean.map(OutputCell.number) ?? .null,
            has ? .number(r.first) : .null, has ? .number(r.last) : .null,
            b.series.kind == .counter ? (r.delta.map(OutputCell.number) ?? .number(0)) : .null,
        ]
        if unitColumn { cells.append(.text(b.series.unit)) }
        return cells
    }
}
