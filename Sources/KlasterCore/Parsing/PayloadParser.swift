/// Turns one MQTT payload into readings, exactly as README "Topics and payloads" specifies.
///
/// The format is auto-detected by the first non-space byte:
/// - `{` — a JSON object `{"ts": <epoch ms int | RFC 3339 string>, "v": <finite number>,
///   "seq": <optional uint>, "q": <optional "good"|"uncertain"|"bad">}`;
/// - `[` — a JSON array of such objects;
/// - a payload that is one number (JSON grammar) — the value, with `ts` = receive time;
/// - anything else — InfluxDB line protocol, where tags `plant`, `meter` and the
///   field name give the series (the topic need not match the pattern).
///
/// A purpose-built byte scanner (no Foundation): a known series costs no
/// allocation; hostile input (deep nesting, huge strings, invalid UTF-8,
/// truncation, `1e400`, huge payloads) is rejected in time linear in its
/// length and constant extra memory.
///
/// JSON choices: `null` for a field means the field is absent; a duplicate
/// `ts`/`v`/`seq`/`q` key is rejected (`malformed_json`), unknown keys are
/// skipped whatever their value (nesting up to `maxDepth`); `-0` is read as 0;
/// `ts` must lie in `minTs`…9999-12-31.
public struct PayloadParser: Sendable {
    /// A reading more than this many ms ahead of the receive time is `future_ts`.
    public var maxFuture: Int64
    /// A reading before this instant is `bad_timestamp` (config `ingest.min_ts`).
    public var minTs: EpochMillis
    /// 2000-01-01T00:00:00Z: no meter of the cluster has older data, and a
    /// `ts` in epoch seconds (1.7e9, i.e. 1970-01-21 as ms) falls below it.
    public static let defaultMinTs: EpochMillis = 946_684_800_000
    /// Larger payloads are `too_large` without being scanned.
    public var maxPayloadBytes: Int
    /// Deepest JSON nesting accepted (the top-level object or array is depth 1), 1...64.
    public var maxDepth: Int

    /// - Parameters:
    ///   - maxFuture: `future_ts` limit in ms (config `ingest.max_future`, default 5m).
    ///   - maxPayloadBytes: `too_large` limit (config `ingest.max_payload_bytes`).
    ///   - maxDepth: `too_deep` limit, clamped to 1...64.
    ///   - minTs: `bad_timestamp` floor (config `ingest.min_ts`, default 2000-01-01).
    public init(maxFuture: Int64 = 300_000, maxPayloadBytes: Int = 256 * 1024, maxDepth: Int = 16,
                minTs: EpochMillis = PayloadParser.defaultMinTs) {
        self.maxFuture = maxFuture
        self.minTs = minTs
        self.maxPayloadBytes = maxPayloadBytes
        self.maxDepth = min(max(maxDepth, 1), 64)
    }

    /// The parser configured by `[ingest]`.
    public init(config: KlasterConfig.Ingest) {
        self.init(maxFuture: config.maxFuture, maxPayloadBytes: config.maxPayloadBytes, minTs: config.minTs)
    }

    /// Parses one message and hands each valid reading to `emit`.
    ///
    /// - Parameters:
    ///   - payload: The message body.
    ///   - topic: The MQTT topic (resolved through `resolver` for the JSON and bare forms,
    ///     only when a valid reading needs it).
    ///   - receivedAt: Receive time: `ts` of bare numbers and of line protocol without a
    ///     timestamp, and the base of the `future_ts` check.
    ///   - resolver: Interns topics / line-protocol keys to series ids (may create series).
    ///   - emit: Called once per valid reading, in payload order (non-escaping: no allocation).
    /// - Returns: How many readings were emitted and the first rejection, if any (then the
    ///   caller dead-letters the whole message; see `ParseOutcome`).
    /// - Complexity: O(payload length), constant extra memory apart from new series.
    public func parse(payload: UnsafeRawBufferPointer, topic: UnsafeRawBufferPointer, receivedAt: EpochMillis,
                      resolver: SeriesResolver, emit: (Reading) -> Void) -> ParseOutcome {
        if payload.count > maxPayloadBytes {
            return ParseOutcome(readings: 0, rejection: ParseRejection(.tooLarge, "payload is \(payload.count) bytes, limit \(maxPayloadBytes)"))
        }
        guard let base = payload.baseAddress else {
            return ParseOutcome(readings: 0, rejection: ParseRejection(.empty, "payload is empty"))
        }
        var i = 0
        let n = payload.count
        while i < n, Self.isSpace(base.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        if i == n { return ParseOutcome(readings: 0, rejection: ParseRejection(.empty, "payload is empty or only white space")) }
        if let bad = UTF8Validation.firstInvalid(payload) {
            return ParseOutcome(readings: 0, rejection: ParseRejection(.invalidUTF8, "invalid UTF-8 at byte \(bad)"))
        }
        var sink = ReadingSink(topic: topic, resolver: resolver)
        let first = base.load(fromByteOffset: i, as: UInt8.self)
        do throws(ParseRejection) {
            switch first {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var scanner = JSONReadingScanner(base: base, end: n, position: i, maxDepth: maxDepth,
                                                 receivedAt: receivedAt, maxFuture: maxFuture, minTs: minTs)
                try scanner.parseMessage(into: &sink, emit)
            default:
                if try !parseBareNumber(base, from: i, end: n, receivedAt: receivedAt, into: &sink, emit) {
                    var lp = LineProtocolScanner(base: base, end: n, receivedAt: receivedAt, maxFuture: maxFuture, minTs: minTs)
                    try lp.parseMessage(into: &sink, emit)
                }
            }
        } catch {
            sink.reject(error)
        }
        return ParseOutcome(readings: sink.emitted, rejection: sink.firstRejection)
    }

    /// Convenience for tests and import: payload and topic as Strings/bytes.
    public func parse(payload: [UInt8], topic: String, receivedAt: EpochMillis, resolver: SeriesResolver,
                      emit: (Reading) -> Void) -> ParseOutcome {
        var topic = topic
        return topic.withUTF8 { t in
            payload.withUnsafeBytes { p in
                parse(payload: p, topic: UnsafeRawBufferPointer(t), receivedAt: receivedAt, resolver: resolver, emit: emit)
            }
        }
    }

    /// Parses one line of a `klaster import` JSON-lines file, in one pass: an
    /// object with the reading fields of a live payload and a `"series"` string
    /// that names the series (in place of the topic).
    ///
    /// - Parameters:
    ///   - line: The line, without its line end.
    ///   - receivedAt: The import's receive time (base of the `future_ts` check).
    ///   - resolver: Interns series keys (its pattern is the key's levels).
    ///   - emit: Called with the reading when the line is valid.
    /// - Returns: The outcome (`bad_topic` without a `"series"` string,
    ///   `malformed_json` when the line is not one JSON object) and the
    ///   `series` text when there was one, for the dead letter's topic.
    /// - Complexity: O(line length).
    public func parse(importLine line: UnsafeRawBufferPointer, receivedAt: EpochMillis, resolver: SeriesResolver,
                      emit: (Reading) -> Void) -> (outcome: ParseOutcome, series: String?) {
        func rejected(_ r: ParseRejection, _ series: [UInt8]? = nil) -> (outcome: ParseOutcome, series: String?) {
            (ParseOutcome(readings: 0, rejection: r), series.map { String(decoding: $0, as: UTF8.self) })
        }
        if line.count > maxPayloadBytes { return rejected(ParseRejection(.tooLarge, "line is \(line.count) bytes, limit \(maxPayloadBytes)")) }
        guard let base = line.baseAddress else { return rejected(ParseRejection(.empty, "line is empty")) }
        if let bad = UTF8Validation.firstInvalid(line) { return rejected(ParseRejection(.invalidUTF8, "invalid UTF-8 at byte \(bad)")) }
        var i = 0
        while i < line.count, Self.isSpace(base.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        guard i < line.count, base.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: "{") else {
            return rejected(ParseRejection(.malformedJSON, "not a JSON object"))
        }
        var scanner = JSONReadingScanner(base: base, end: line.count, position: i, maxDepth: maxDepth,
                                         receivedAt: receivedAt, maxFuture: maxFuture, minTs: minTs, readsSeriesKey: true)
        let result: JSONReadingScanner.ObjectResult
        do throws(ParseRejection) {
            result = try scanner.parseObject(depth: 1, element: nil)
            try scanner.expectEnd()
        } catch {
            return rejected(error, scanner.seriesKey)
        }
        guard let key = scanner.seriesKey else { return rejected(ParseRejection(.badTopic, "no \"series\" string")) }
        let reading: Reading
        switch result {
        case .reading(let r): reading = r
        case .rejected(let why): return rejected(why, key)
        }
        let outcome = key.withUnsafeBytes { topic in
            var sink = ReadingSink(topic: topic, resolver: resolver)
            do throws(ParseRejection) { try sink.emit(reading, emit) } catch { sink.reject(error) }
            return ParseOutcome(readings: sink.emitted, rejection: sink.firstRejection)
        }
        return (outcome, String(decoding: key, as: UTF8.self))
    }

    /// The offset of the first byte that breaks strict UTF-8 (RFC 3629), or
    /// `nil` — the check every payload gets, for callers outside the parser.
    public static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        UTF8Validation.firstInvalid(bytes)
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\t")
    }

    /// A payload that is exactly one number (surrounding white space allowed), or a
    /// NaN/Infinity spelling (`non_finite`). Returns false when it is something else.
    private func parseBareNumber(_ p: UnsafeRawPointer, from i: Int, end n: Int, receivedAt: EpochMillis,
                                 into sink: inout ReadingSink, _ emit: (Reading) -> Void) throws(ParseRejection) -> Bool {
        var e = n
        while e > i, Self.isSpace(p.load(fromByteOffset: e - 1, as: UInt8.self)) { e -= 1 }
        var k = i
        if k < e, p.load(fromByteOffset: k, as: UInt8.self) == UInt8(ascii: "-") || p.load(fromByteOffset: k, as: UInt8.self) == UInt8(ascii: "+") { k += 1 }
        if k < e, e - i <= 9, [UInt8(ascii: "n"), UInt8(ascii: "i")].contains(p.load(fromByteOffset: k, as: UInt8.self) | 0x20) {
            let lowered = String(decoding: UnsafeRawBufferPointer(start: p + i, count: e - i), as: UTF8.self).lowercased()
            if ["nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"].contains(lowered) {
                throw ParseRejection(.nonFinite, "value \(lowered) is not finite")
            }
        }
        guard let num = DecimalNumber.scan(p, i, e, json: true), num.end == e else { return false }
        let v = num.double(p)
        guard v.isFinite else { throw ParseRejection(.nonFinite, "value \(Self.excerpt(p, num.start, num.end)) is out of range") }
        try sink.emit(Reading(series: 0, ts: receivedAt, value: v == 0 ? 0 : v), emit)
        return true
    }

    /// Up to 40 bytes of the payload for a detail line.
    static func excerpt(_ p: UnsafeRawPointer, _ from: Int, _ to: Int) -> String {
        let len = min(to - from, 40)
        let s = String(decoding: UnsafeRawBufferPointer(start: p + from, count: max(len, 0)), as: UTF8.self)
        return to - from > 40 ? s + "…" : s
    }
}

/// Collects what a parse produced: resolves the topic once (lazily, so a bad
/// payload creates no series), counts emitted readings, keeps the first rejection.
struct ReadingSink {
    let topic: UnsafeRawBufferPointer
    let resolver: SeriesResolver
    var topicSeries: SeriesID? = nil
    var emitted = 0
    var firstRejection: ParseRejection? = nil

    init(topic: UnsafeRawBufferPointer, resolver: SeriesResolver) {
        self.topic = topic
        self.resolver = resolver
    }

    /// Emits a reading of the topic's series (its `series` field is replaced).
    /// - Throws: `bad_topic` when the topic does not match the pattern or breaks
    ///   `SeriesKeyRules`, `invalid_utf8` when a named level is not UTF-8.
    @inline(__always)
    mutating func emit(_ r: Reading, _ handler: (Reading) -> Void) throws(ParseRejection) {
        var r = r
        if let s = topicSeries {
            r.series = s
        } else {
            switch resolver.resolveOrReject(topic: topic) {
            case .success(let s):
                topicSeries = s
                r.series = s
            case .failure(let rejection):
                throw rejection
            }
        }
        handler(r)
        emitted += 1
    }

    /// Emits a reading whose `series` is already resolved.
    @inline(__always)
    mutating func emitResolved(_ r: Reading, _ handler: (Reading) -> Void) {
        handler(r)
        emitted += 1
    }

    mutating func reject(_ r: ParseRejection) {
        if firstRejection == nil { firstRejection = r }
    }
}
