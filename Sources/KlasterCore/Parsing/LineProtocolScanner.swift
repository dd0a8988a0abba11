/// InfluxDB line protocol (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/):
/// `measurement[,tag=v…] field=value[,field=value…] [timestamp-ns]`, one
/// point per line, `#` comment lines and blank lines ignored.
///
/// Tags `plant` and `meter` and the field name give the series
/// `plant/meter/field`; the measurement name is not part of the key. Each
/// numeric field is one reading: floats (`1.5`, `-2e3`), integers (`3i`),
/// unsigned (`3u`). String and boolean fields are `wrong_type`. A missing
/// timestamp means the receive time; timestamps are nanoseconds, floored to ms.
/// Escapes: `\,` `\=` `\ ` in measurement, tag keys/values and field keys;
/// `\"` `\\` in string fields. Lines are independent: a bad line (or field) is
/// reported and the others still yield readings.
struct LineProtocolScanner {
    let base: UnsafeRawPointer
    let end: Int
    let receivedAt: EpochMillis
    let maxFuture: Int64
    let minTs: EpochMillis

    /// A token `start..<end`, with backslash escapes still in place when `escaped`.
    struct Token {
        var start: Int
        var end: Int
        var escaped: Bool
        var isEmpty: Bool { start == end }
    }

    @inline(__always)
    func byte(_ k: Int) -> UInt8 { base.load(fromByteOffset: k, as: UInt8.self) }

    mutating func parseMessage(into sink: inout ReadingSink, _ emit: (Reading) -> Void) throws(ParseRejection) {
        var lineStart = 0
        var lineNo = 0
        var points = 0
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end, byte(lineEnd) != UInt8(ascii: "\n") { lineEnd += 1 }
            lineNo += 1
            var e = lineEnd
            if e > lineStart, byte(e - 1) == UInt8(ascii: "\r") { e -= 1 }
            var s = lineStart
            while s < e, byte(s) == UInt8(ascii: " ") || byte(s) == UInt8(ascii: "\t") { s += 1 }
            if s < e, byte(s) != UInt8(ascii: "#") {
                points += 1
                do {
                    try parseLine(s, e, line: lineNo, into: &sink, emit)
                } catch {
                    sink.reject(error)
                }
            }
            lineStart = lineEnd + 1
        }
        if points == 0 { throw ParseRejection(.empty, "no line-protocol lines, only comments") }
    }

    /// Scans a token up to an unescaped byte of `stops` (or `e`).
    @inline(__always)
    func scanToken(_ i: inout Int, _ e: Int, stopAtEquals: Bool) -> Token {
        let start = i
        var escaped = false
        while i < e {
            let c = byte(i)
            if c == UInt8(ascii: "\\"), i + 1 < e {
                escaped = true
                i += 2
                continue
            }
            if c == UInt8(ascii: ",") || c == UInt8(ascii: " ") || (stopAtEquals && c == UInt8(ascii: "=")) { break }
            i += 1
        }
        return Token(start: start, end: i, escaped: escaped)
    }

    func malformed(_ line: Int, _ what: String) -> ParseRejection {
        ParseRejection(.malformedLineProtocol, "line \(line): \(what)")
    }

    func tokenEquals(_ t: Token, _ word: StaticString) -> Bool {
        guard !t.escaped, t.end - t.start == word.utf8CodeUnitCount else { return false }
        for k in 0 ..< word.utf8CodeUnitCount where byte(t.start + k) != word.utf8Start[k] { return false }
        return true
    }

    mutating func parseLine(_ s: Int, _ e: Int, line: Int, into sink: inout ReadingSink, _ emit: (Reading) -> Void) throws(ParseRejection) {
        var i = s
        let measurement = scanToken(&i, e, stopAtEquals: false)
        if measurement.isEmpty { throw malformed(line, "no measurement name") }
        var plant: Token? = nil
        var meter: Token? = nil
        while i < e, byte(i) == UInt8(ascii: ",") {
            i += 1
            let key = scanToken(&i, e, stopAtEquals: true)
            guard !key.isEmpty, i < e, byte(i) == UInt8(ascii: "=") else { throw malformed(line, "tag without key=value at byte \(i)") }
            i += 1
            let value = scanToken(&i, e, stopAtEquals: false)
            if value.isEmpty { throw malformed(line, "empty tag value at byte \(i)") }
            if tokenEquals(key, "plant") { plant = value } else if tokenEquals(key, "meter") { meter = value }
        }
        guard i < e, byte(i) == UInt8(ascii: " ") else { throw malformed(line, "no field set") }
        while i < e, byte(i) == UInt8(ascii: " ") { i += 1 }

        // Pass 1: find the end of the field set, checking its syntax.
        let fieldsStart = i
        while true {
            let key = scanToken(&i, e, stopAtEquals: true)
            guard !key.isEmpty, i < e, byte(i) == UInt8(ascii: "=") else { throw malformed(line, "field without key=value at byte \(i)") }
            i += 1
            try skipFieldValue(&i, e, line: line)
            if i < e, byte(i) == UInt8(ascii: ",") { i += 1; continue }
            break
        }
        let fieldsEnd = i

        // Timestamp (ns), optional.
        while i < e, byte(i) == UInt8(ascii: " ") { i += 1 }
        var ts = receivedAt
        if i < e {
            let tsStart = i
            var te = e
            while te > i, byte(te - 1) == UInt8(ascii: " ") { te -= 1 }
            guard let num = DecimalNumber.scan(base, i, te, json: false), num.end == te, num.isInteger,
                  byte(tsStart) != UInt8(ascii: "+") else {
                throw malformed(line, "timestamp '\(PayloadParser.excerpt(base, tsStart, e))' is not an integer")
            }
            guard let ns = num.int64(base) else {
                throw ParseRejection(.badTimestamp, "line \(line): timestamp \(PayloadParser.excerpt(base, tsStart, te)) ns is out of range")
            }
            ts = ns >= 0 ? ns / 1_000_000 : -((-(ns + 1)) / 1_000_000) - 1
        }
        if ts < 0 || ts > RFC3339.maxMillis {
            throw ParseRejection(.badTimestamp, "line \(line): timestamp \(ts) ms is outside 1970…9999")
        }
        if ts < minTs {
            throw ParseRejection(.badTimestamp, "line \(line): ts \(RFC3339.format(ts)) is before ingest.min_ts \(RFC3339.format(minTs))")
        }
        if ts > receivedAt, ts - receivedAt > maxFuture {
            throw ParseRejection(.futureTs, "line \(line): ts \(RFC3339.format(ts)) is \(ts - receivedAt) ms ahead of receive time \(RFC3339.format(receivedAt)) (limit \(maxFuture) ms)")
        }
        guard let plant else { throw malformed(line, "no plant tag") }
        guard let meter else { throw malformed(line, "no meter tag") }

        // Pass 2: one reading per numeric field.
        i = fieldsStart
        while i < fieldsEnd {
            let key = scanToken(&i, fieldsEnd, stopAtEquals: true)
            i += 1 // '='
            let vStart = i
            try skipFieldValue(&i, fieldsEnd, line: line)
            let vEnd = i
            if i < fieldsEnd { i += 1 } // ','
            let value: Double
            do {
                value = try fieldValue(vStart, vEnd)
            } catch {
                sink.reject(ParseRejection(error.reason, "line \(line): field \(text(key)): \(error.detail)"))
                continue
            }
            if plant.isEmpty || meter.isEmpty || key.isEmpty || hasSlash(plant) || hasSlash(meter) || hasSlash(key) {
                sink.reject(malformed(line, "series '\(text(plant))/\(text(meter))/\(text(key))' has an empty part or a '/'"))
                continue
            }
            let resolved = withBytes(plant) { p in withBytes(meter) { m in withBytes(key) { q in
                sink.resolver.resolveOrReject(plant: p, meter: m, quantity: q)
            } } }
            let series: SeriesID
            switch resolved {
            case .success(let s): series = s
            case .failure(let r):
                sink.reject(ParseRejection(r.reason, "line \(line): \(r.detail)"))
                continue
            }
            sink.emitResolved(Reading(series: series, ts: ts, value: value), emit)
        }
    }

    /// Skips a field value: a quoted string (with `\"` and `\\`) or a bare token.
    func skipFieldValue(_ i: inout Int, _ e: Int, line: Int) throws(ParseRejection) {
        if i < e, byte(i) == UInt8(ascii: "\"") {
            let start = i
            i += 1
            while i < e {
                let c = byte(i)
                if c == UInt8(ascii: "\\"), i + 1 < e { i += 2; continue }
                if c == UInt8(ascii: "\"") { i += 1; return }
                i += 1
            }
            throw malformed(line, "unterminated string field from byte \(start)")
        }
        let start = i
        while i < e, byte(i) != UInt8(ascii: ","), byte(i) != UInt8(ascii: " ") { i += 1 }
        if i == start { throw malformed(line, "empty field value at byte \(start)") }
    }

    /// The numeric value of a field value token.
    func fieldValue(_ s: Int, _ e: Int) throws(ParseRejection) -> Double {
        let first = byte(s)
        if first == UInt8(ascii: "\"") { throw ParseRejection(.wrongType, "a string, not a number") }
        let last = byte(e - 1)
        if last == UInt8(ascii: "i") || last == UInt8(ascii: "u") {
            guard let num = DecimalNumber.scan(base, s, e - 1, json: false), num.end == e - 1, num.isInteger else {
                throw ParseRejection(.malformedLineProtocol, "'\(PayloadParser.excerpt(base, s, e))' is not an integer")
            }
            if last == UInt8(ascii: "u") {
                guard let u = num.uint64(), byte(s) != UInt8(ascii: "-") || u == 0 else {
                    throw ParseRejection(.wrongType, "'\(PayloadParser.excerpt(base, s, e))' is not an unsigned integer")
                }
                return Double(u)
            }
            guard let v = num.int64(base) else {
                throw ParseRejection(.wrongType, "'\(PayloadParser.excerpt(base, s, e))' is out of int64 range")
            }
            return Double(v)
        }
        if let num = DecimalNumber.scan(base, s, e, json: false), num.end == e {
            let v = num.double(base)
            guard v.isFinite else { throw ParseRejection(.nonFinite, "\(PayloadParser.excerpt(base, s, e)) is out of range") }
            return v == 0 ? 0 : v
        }
        let word = String(decoding: UnsafeRawBufferPointer(start: base + s, count: min(e - s, 16)), as: UTF8.self)
        if ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"].contains(word) {
            throw ParseRejection(.wrongType, "a boolean, not a number")
        }
        if ["nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(word.lowercased()) {
            throw ParseRejection(.nonFinite, "\(word) is not finite")
        }
        throw ParseRejection(.malformedLineProtocol, "'\(PayloadParser.excerpt(base, s, e))' is not a number")
    }

    /// Calls `body` with the token's bytes, unescaped (`\,` `\=` `\ ` → the byte) when needed.
    func withBytes<R>(_ t: Token, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if !t.escaped { return body(UnsafeRawBufferPointer(start: base + t.start, count: t.end - t.start)) }
        var out: [UInt8] = []
        var k = t.start
        while k < t.end {
            let c = byte(k)
            if c == UInt8(ascii: "\\"), k + 1 < t.end,
               [UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: " "), UInt8(ascii: "\\")].contains(byte(k + 1)) {
                out.append(byte(k + 1))
                k += 2
            } else {
                out.append(c)
                k += 1
            }
        }
        return out.withUnsafeBytes(body)
    }

    func hasSlash(_ t: Token) -> Bool {
        withBytes(t) { $0.contains(UInt8(ascii: "/")) }
    }

    func text(_ t: Token) -> String {
        withBytes(t) { String(decoding: $0, as: UTF8.self) }
    }
}
