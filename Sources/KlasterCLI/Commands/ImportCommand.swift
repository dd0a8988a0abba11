import ArgumentParser
import Foundation
import KlasterCore
import KlasterStore

/// `klaster import FILE…`: backfill through the same core as live ingest —
/// `PayloadParser` validates, `SeriesResolver` interns series, `Aggregator`
/// dedupes, buckets and computes counter deltas, `Store.apply` commits — so a
/// backfill and a live stream of the same readings give identical buckets
/// and counters. Each record counts as one message; a bad record is
/// dead-lettered (topic = its series, payload = the line, detail = file:line)
/// and the import goes on.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Backfill readings from CSV, JSON lines or line-protocol files.",
        discussion: """
            Formats (by extension .csv / .jsonl .ndjson .json / .lp .line, else by the first line):
              CSV          header `series,ts,value`; ts is RFC 3339 or epoch ms; RFC 4180 quoting.
              JSON lines   one object per line: {"series": "plant/meter/quantity", "ts": …, "v": …, "seq": …, "q": …}
                           (the reading fields exactly as in an MQTT payload).
              line protocol `measurement,plant=P,meter=M field=1.5 <ns timestamp>` (tags plant, meter; the field is the quantity).
            Series keys have the levels of mqtt.topic_pattern's named levels (plant/meter/quantity by default).
            Readings more than buckets.allowed_lateness older than their series' newest are stored raw and counted late,
            as in live ingest: sort files by time, or run `klaster db rebuild` afterwards.
            """)

    @OptionGroup var options: CommonOptions

    @Argument(help: "Files to import.")
    var files: [String]

    @Option(help: "Records per committed batch (each commit rewrites the hot pages of every series, so bigger batches import faster; see Benchmarks/import/README.md).")
    var batchSize: Int = 100_000

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to import") }
        if batchSize < 1 { throw ValidationError("--batch-size must be positive") }
    }

    enum Format: String { case csv, jsonLines = "json lines", lineProtocol = "line protocol" }

    func run() async throws {
        let cfg = try options.loadConfig()
        for f in files where !FileManager.default.isReadableFile(atPath: f) {
            throw KlasterError(.noInput, "cannot read \(f)", hint: "check the path and permissions")
        }
        // One writer per SQLite file: an import beside a running ingest would
        // double-count. (PostgreSQL takes many writers.)
        let lock = cfg.storage.backend == .sqlite ? try WriterLock(database: cfg.storage.path) : nil
        defer { withExtendedLifetime(lock) {} }
        let store = try cfg.openStore(create: true)
        let livePattern = try TopicPattern(cfg.mqtt.topicPattern)
        // Import records name their series by key, so the "topic" is the key itself.
        let keyPattern = try TopicPattern(livePattern.names.map { "{\($0)}" }.joined(separator: "/"))
        let known = try store.loadSeries()
        let resolver = SeriesResolver(pattern: keyPattern, quantities: cfg.quantities, known: known, maxSeries: cfg.ingest.maxSeries)
        // The same finalising aggregator as live ingest, continuing from the store's frontiers and open window.
        let (_, frontiers, open) = try store.ingestRestoreState()
        let aggregator = Aggregator(widths: cfg.buckets.widths, allowedLateness: cfg.buckets.allowedLateness, quantities: cfg.quantities,
                                    finalizing: true)
        aggregator.setClock(wallClockMillis())
        aggregator.restore(series: known, frontiers: frontiers, open: open)
        var importer = Importer(committer: ImportCommitter(store: store), resolver: resolver, aggregator: aggregator,
                                parser: PayloadParser(config: cfg.ingest), batchSize: batchSize,
                                progress: StandardOutput.stderrIsTerminal)
        do {
            for f in files { try importer.importFile(f) }
            try importer.commit()
        } catch {
            // The batch in flight still commits (or fails) before the error
            // is reported: what is stored is then a known prefix of the input.
            try? importer.committer.finish()
            throw error
        }
        try importer.committer.finish()
        importer.finishProgress()
        let s = importer.summary
        StandardOutput.note("imported \(s.records) records (\(s.rejected) dead-lettered) from \(files.count) file(s) into \(store.location)\n")
    }
}

/// The import loop: records → parser → aggregator → batches (committed
/// behind the loop by `committer`).
struct Importer {
    let committer: ImportCommitter
    let resolver: SeriesResolver
    let aggregator: Aggregator
    let parser: PayloadParser
    let batchSize: Int
    let progress: Bool
    var seq: UInt64 = 0
    var pending = 0
    var summary = (records: 0, rejected: 0)
    let now = wallClockMillis()
    var lastProgress = 0

    mutating func importFile(_ path: String) throws(KlasterError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KlasterError(.ioError, "cannot read \(path)", hint: "check permissions")
        }
        var bytes = [UInt8](data)
        // A UTF-8 byte order mark (Windows editors write one) is not part of the first record.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let format = Self.detect(path: path, bytes)
        var lineNo = 0
        var start = 0
        var payload: [UInt8] = []
        payload.reserveCapacity(128)
        while start < bytes.count {
            // A record ends at LF, CRLF or a lone CR (old Mac exports).
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
            let lineEnd = end
            if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "\r"), bytes[end + 1] == UInt8(ascii: "\n") { end += 1 }
            lineNo += 1
            let line = bytes[start..<lineEnd]
            start = end + 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            if format == .csv, lineNo == 1, Self.isCSVHeader(line) { continue }
            if format == .lineProtocol, line.first == UInt8(ascii: "#") { continue }
            try record(line, format: format, where: "\(path):\(lineNo)", payload: &payload)
        }
    }

    /// One record = one message.
    private mutating func record(_ line: ArraySlice<UInt8>, format: ImportCommand.Format, where place: @autoclosure () -> String,
                                 payload: inout [UInt8]) throws(KlasterError) {
        aggregator.noteMessage()
        summary.records += 1
        var topic = ""
        var rejection: ParseRejection?
        // The same caps and checks as an MQTT message: size first, then UTF-8,
        // then the series key rules (the resolver applies them to every key).
        if line.count > parser.maxPayloadBytes {
            rejection = ParseRejection(.tooLarge, "record is \(line.count) bytes, limit \(parser.maxPayloadBytes)")
        } else if let bad = line.withUnsafeBytes({ PayloadParser.firstInvalidUTF8($0) }) {
            rejection = ParseRejection(.invalidUTF8, "invalid UTF-8 at byte \(bad)")
        } else {
            switch format {
            case .csv:
                let (series, result) = Self.csvPayload(line, into: &payload)
                topic = series
                if case .failure(let r) = result { rejection = r }
            case .jsonLines:
                // One pass: the scanner reads the "series" key along with the reading fields.
                let (outcome, series) = line.withUnsafeBytes { bytes in
                    parser.parse(importLine: bytes, receivedAt: now, resolver: resolver) { [resolver, aggregator] r in
                        for s in resolver.takeNewSeries() { aggregator.register(s) }
                        aggregator.add(r)
                    }
                }
                topic = series ?? ""
                rejection = outcome.rejection
            case .lineProtocol:
                payload.removeAll(keepingCapacity: true)
                payload.append(contentsOf: line)
            }
        }
        if rejection == nil, format != .jsonLines {
            let outcome = parser.parse(payload: payload, topic: topic, receivedAt: now, resolver: resolver) { [resolver, aggregator] r in
                for s in resolver.takeNewSeries() { aggregator.register(s) }
                aggregator.add(r)
            }
            rejection = outcome.rejection
        }
        if let rejection {
            summary.rejected += 1
            // Capped as on the MQTT path: a dead letter keeps at most
            // max_payload_bytes of the record and a key-sized prefix of its series.
            let shownTopic = topic.utf8.count > Self.maxDeadLetterTopicBytes
                ? String(decoding: topic.utf8.prefix(Self.maxDeadLetterTopicBytes), as: UTF8.self) + "…" : topic
            aggregator.addDeadLetter(DeadLetter(topic: shownTopic, payload: Array(line.prefix(parser.maxPayloadBytes)), receivedAt: now,
                                                reason: rejection.reason, detail: "\(place()): \(rejection.detail)"))
        }
        seq += 1
        pending += 1
        if pending >= batchSize { try commit() }
    }

    /// Longest series text a dead letter keeps (twice the longest valid key).
    static let maxDeadLetterTopicBytes = 2 * SeriesKeyRules.maxKeyBytes

    mutating func commit() throws(KlasterError) {
        for s in resolver.takeNewSeries() { aggregator.register(s) }
        let batch = aggregator.takeBatch(lastMessageSeq: seq)
        pending = 0
        if !batch.isEmpty { try committer.submit(batch) }
        if progress, summary.records - lastProgress >= 100_000 {
            lastProgress = summary.records
            StandardOutput.note("\rimported \(summary.records) records…")
        }
    }

    func finishProgress() {
        if progress && lastProgress > 0 { StandardOutput.note("\n") }
    }

    static func detect(path: String, _ bytes: [UInt8]) -> ImportCommand.Format {
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "csv": return .csv
        case "jsonl", "ndjson", "json": return .jsonLines
        case "lp", "line", "influx": return .lineProtocol
        default: break
        }
        let first = bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        if isCSVHeader(first[...]) { return .csv }
        if first.first(where: { $0 != UInt8(ascii: " ") }) == UInt8(ascii: "{") { return .jsonLines }
        return .lineProtocol
    }

    static func isCSVHeader(_ line: ArraySlice<UInt8>) -> Bool {
        let s = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        return s == "series,ts,value"
    }

    /// A CSV record `series,ts,value` as the JSON payload `{"ts":…,"v":…}`
    /// that live ingest would have received; returns the series key.
    static func csvPayload(_ line: ArraySlice<UInt8>, into payload: inout [UInt8]) -> (series: String, Result<Void, ParseRejection>) {
        guard let fields = csvFields(line) else { return ("", .failure(ParseRejection(.malformedJSON, "unbalanced CSV quotes"))) }
        let seriesKey = String(decoding: fields[0], as: UTF8.self)
        guard fields.count == 3 else {
            return (seriesKey, .failure(ParseRejection(fields.count < 3 ? .missingValue : .wrongType, "expected 3 CSV fields series,ts,value, got \(fields.count)")))
        }
        let (ts, value) = (fields[1], fields[2])
        if ts.isEmpty { return (seriesKey, .failure(ParseRejection(.missingTs, "ts is empty"))) }
        if value.isEmpty { return (seriesKey, .failure(ParseRejection(.missingValue, "value is empty"))) }
        payload.removeAll(keepingCapacity: true)
        payload.append(contentsOf: #"{"ts":"#.utf8)
        let digits = ts.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        if digits {
            payload.append(contentsOf: ts)
        } else {
            // RFC 3339 text: quote it (a stray quote or backslash makes it a bad timestamp).
            if ts.contains(UInt8(ascii: "\"")) || ts.contains(UInt8(ascii: "\\")) { return (seriesKey, .failure(ParseRejection(.badTimestamp, "ts is not RFC 3339 or epoch ms"))) }
            payload.append(UInt8(ascii: "\""))
            payload.append(contentsOf: ts)
            payload.append(UInt8(ascii: "\""))
        }
        payload.append(contentsOf: #","v":"#.utf8)
        // The value must be a bare number token; anything else would change the JSON's shape.
        if !value.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || "+-.eE".utf8.contains($0) }) {
            let text = String(decoding: value, as: UTF8.self).lowercased()
            if ["nan", "inf", "-inf", "+inf", "infinity", "-infinity"].contains(text) { return (seriesKey, .failure(ParseRejection(.nonFinite, "value \(text) is not finite"))) }
            return (seriesKey, .failure(ParseRejection(.wrongType, "value is not a number")))
        }
        payload.append(contentsOf: value)
        payload.append(UInt8(ascii: "}"))
        return (seriesKey, .success(()))
    }

    /// Splits one CSV record (RFC 4180: quoted fields, `""` escapes). `nil` when a quote is unbalanced.
    static func csvFields(_ line: ArraySlice<UInt8>) -> [[UInt8]]? {
        var fields: [[UInt8]] = []
        var cur: [UInt8] = []
        var i = line.startIndex
        var quoted = false
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < line.endIndex, line[i + 1] == UInt8(ascii: "\"") { cur.append(c); i += 1 } else { quoted = false }
                } else {
                    cur.append(c)
                }
            } else if c == UInt8(ascii: "\"") && cur.isEmpty {
                quoted = true
            } else if c == UInt8(ascii: ",") {
                fields.append(cur)
                cur = []
            } else {
                cur.append(c)
            }
            i += 1
        }
        if quoted { return nil }
        fields.append(cur)
        return fields
    }
}
