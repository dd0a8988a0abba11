/// The JSON payload form (`{…}` or `[{…}, …]`), scanned byte by byte:
/// no Foundation, no allocation on the happy path, iterative (never recursive)
/// skipping of unknown values with a bit stack bounded by `maxDepth` ≤ 64.
struct JSONReadingScanner {
    let base: UnsafeRawPointer
    let end: Int
    var i: Int
    let maxDepth: Int
    let receivedAt: EpochMillis
    let maxFuture: Int64
    let minTs: EpochMillis
    /// `klaster import`'s JSON lines: a `"series"` string names the series
    /// (kept in `seriesKey`); elsewhere `series` is an unknown key like any other.
    let readsSeriesKey: Bool
    /// The decoded `"series"` string of the last top-level object, when `readsSeriesKey`.
    var seriesKey: [UInt8]? = nil

    init(base: UnsafeRawPointer, end: Int, position: Int, maxDepth: Int, receivedAt: EpochMillis, maxFuture: Int64,
         minTs: EpochMillis, readsSeriesKey: Bool = false) {
        self.base = base
        self.end = end
        self.i = position
        self.maxDepth = maxDepth
        self.receivedAt = receivedAt
        self.maxFuture = maxFuture
        self.minTs = minTs
        self.readsSeriesKey = readsSeriesKey
    }

    /// One parsed object: a reading (series not yet set) or why it is not one.
    enum ObjectResult {
        case reading(Reading)
        case rejected(ParseRejection)
    }

    /// A scanned string: bytes `start..<end` between the quotes, raw.
    struct StringToken {
        var start: Int
        var end: Int
        var hasEscape: Bool
    }

    enum Field: UInt8 {
        case unknown = 0, ts, v, seq, q, series
    }

    // MARK: - Message

    mutating func parseMessage(into sink: inout ReadingSink, _ emit: (Reading) -> Void) throws(ParseRejection) {
        skipSpace()
        if peek() == UInt8(ascii: "{") {
            let result = try parseObject(depth: 1, element: nil)
            try expectEnd()
            switch result {
            case .reading(let r): try sink.emit(r, emit)
            case .rejected(let why): throw why
            }
            return
        }
        // '['
        i += 1
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            i += 1
            try expectEnd()
            throw ParseRejection(.empty, "empty array")
        }
        var index = 0
        while true {
            skipSpace()
            let c = peek()
            if c == UInt8(ascii: "{") {
                switch try parseObject(depth: 2, element: index) {
                case .reading(let r): try sink.emit(r, emit)
                case .rejected(let why): sink.reject(why)
                }
            } else {
                let kind = Self.typeName(c)
                try skipValue(depth: 1)
                if sink.firstRejection == nil { // build the detail once, not per bad element
                    sink.reject(ParseRejection(.wrongType, "element \(index) is \(kind), not an object"))
                }
            }
            skipSpace()
            let d = peek()
            if d == UInt8(ascii: ",") { i += 1; index += 1; continue }
            if d == UInt8(ascii: "]") { i += 1; break }
            throw syntax("',' or ']' after element \(index)")
        }
        try expectEnd()
    }

    // MARK: - Object

    mutating func parseObject(depth: Int, element: Int?) throws(ParseRejection) -> ObjectResult {
        if depth > maxDepth { throw tooDeep() }
        i += 1 // '{'
        var ts: EpochMillis? = nil
        var value: Double? = nil
        var seq: UInt64? = nil
        var quality = Quality.good
        var seen: UInt8 = 0
        var problem: ParseRejection? = nil
        @inline(__always) func note(_ r: RejectReason, _ what: @autoclosure () -> String) {
            if problem == nil { problem = ParseRejection(r, what()) }
        }
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard peek() == UInt8(ascii: "\"") else { throw syntax("object key") }
                let key = try scanString()
                let field = fieldOf(key)
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw syntax("':'") }
                i += 1
                skipSpace()
                if field != .unknown {
                    let bit: UInt8 = 1 << field.rawValue
                    if seen & bit != 0 {
                        throw ParseRejection(.malformedJSON, Self.prefix(element) + "duplicate key \"\(field)\"")
                    }
                    seen |= bit
                }
                let c = peek()
                switch field {
                case .ts:
                    if c == UInt8(ascii: "-") || Self.isDigit(c) {
                        let num = try scanNumber()
                        if let t = num.int64(base), t >= 0, t <= RFC3339.maxMillis { ts = t }
                        else { note(.badTimestamp, "ts \(excerpt(num.start, num.end)) is not epoch ms in 1970…9999") }
                    } else if c == UInt8(ascii: "\"") {
                        let s = try scanString()
                        var t: EpochMillis? = nil
                        if s.hasEscape {
                            t = decode(s).withUnsafeBytes { RFC3339.parse($0) }
                        } else {
                            t = RFC3339.parse(UnsafeRawBufferPointer(start: base + s.start, count: s.end - s.start))
                        }
                        if let t, t >= 0 { ts = t }
                        else { note(.badTimestamp, "ts \"\(excerpt(s.start, s.end))\" is not an RFC 3339 time from 1970 on") }
                    } else if c == UInt8(ascii: "n") {
                        try literal("null")
                    } else {
                        try skipValue(depth: depth)
                        note(.wrongType, "ts is \(Self.typeName(c))")
                    }
                case .v:
                    if c == UInt8(ascii: "-") || Self.isDigit(c) {
                        if c == UInt8(ascii: "-"), i + 1 < end, base.load(fromByteOffset: i + 1, as: UInt8.self) == UInt8(ascii: "I") {
                            i += 1
                            try literal("Infinity")
                            note(.nonFinite, "v is -Infinity")
                        } else {
                            let num = try scanNumber()
                            let d = num.double(base)
                            if d.isFinite { value = d == 0 ? 0 : d }
                            else { note(.nonFinite, "v \(excerpt(num.start, num.end)) is out of range") }
                        }
                    } else if c == UInt8(ascii: "N") {
                        try literal("NaN")
                        note(.nonFinite, "v is NaN")
                    } else if c == UInt8(ascii: "I") {
                        try literal("Infinity")
                        note(.nonFinite, "v is Infinity")
                    } else if c == UInt8(ascii: "n") {
                        try literal("null")
                    } else {
                        try skipValue(depth: depth)
                        note(.wrongType, "v is \(Self.typeName(c)), not a number")
                    }
                case .seq:
                    if c == UInt8(ascii: "-") || Self.isDigit(c) {
                        let num = try scanNumber()
                        if let s = num.uint64() { seq = s }
                        else { note(.wrongType, "seq \(excerpt(num.start, num.end)) is not an unsigned integer below 10^19") }
                    } else if c == UInt8(ascii: "n") {
                        try literal("null")
                    } else {
                        try skipValue(depth: depth)
                        note(.wrongType, "seq is \(Self.typeName(c)), not an unsigned integer")
                    }
                case .q:
                    if c == UInt8(ascii: "\"") {
                        let s = try scanString()
                        if let q = qualityOf(s) { quality = q }
                        else { note(.badQuality, "q \"\(excerpt(s.start, s.end))\" is not good, uncertain or bad") }
                    } else if c == UInt8(ascii: "n") {
                        try literal("null")
                    } else {
                        try skipValue(depth: depth)
                        note(.wrongType, "q is \(Self.typeName(c)), not a string")
                    }
                case .series:
                    // Only with readsSeriesKey (fieldOf), and only the top-level object names a series.
                    if c == UInt8(ascii: "\""), element == nil {
                        let s = try scanString()
                        seriesKey = s.hasEscape ? decode(s) : Array(UnsafeRawBufferPointer(start: base + s.start, count: s.end - s.start))
                    } else {
                        try skipValue(depth: depth)
                    }
                case .unknown:
                    try skipValue(depth: depth)
                }
                skipSpace()
                let d = peek()
                if d == UInt8(ascii: ",") { i += 1; continue }
                if d == UInt8(ascii: "}") { i += 1; break }
                throw syntax("',' or '}'")
            }
        }
        if let problem {
            return .rejected(element == nil ? problem : ParseRejection(problem.reason, Self.prefix(element) + problem.detail))
        }
        guard let ts else { return .rejected(ParseRejection(.missingTs, Self.prefix(element) + "no ts")) }
        guard let value else { return .rejected(ParseRejection(.missingValue, Self.prefix(element) + "no v")) }
        if ts < minTs {
            return .rejected(ParseRejection(.badTimestamp, Self.prefix(element) + "ts \(RFC3339.format(ts)) is before ingest.min_ts \(RFC3339.format(minTs))"))
        }
        if ts > receivedAt, ts - receivedAt > maxFuture {
            return .rejected(ParseRejection(.futureTs, Self.prefix(element) + "ts \(RFC3339.format(ts)) is \(ts - receivedAt) ms ahead of receive time \(RFC3339.format(receivedAt)) (limit \(maxFuture) ms)"))
        }
        return .reading(Reading(series: 0, ts: ts, value: value, seq: seq, quality: quality))
    }

    @inline(__always)
    func fieldOf(_ s: StringToken) -> Field {
        let f: Field
        if s.hasEscape {
            let d = decode(s)
            f = d.withUnsafeBytes { Self.field(bytes: $0) }
        } else {
            f = Self.field(bytes: UnsafeRawBufferPointer(start: base + s.start, count: s.end - s.start))
        }
        return f == .series && !readsSeriesKey ? .unknown : f
    }

    @inline(__always)
    static func field(bytes b: UnsafeRawBufferPointer) -> Field {
        switch b.count {
        case 1:
            if b[0] == UInt8(ascii: "v") { return .v }
            if b[0] == UInt8(ascii: "q") { return .q }
        case 2:
            if b[0] == UInt8(ascii: "t"), b[1] == UInt8(ascii: "s") { return .ts }
        case 3:
            if b[0] == UInt8(ascii: "s"), b[1] == UInt8(ascii: "e"), b[2] == UInt8(ascii: "q") { return .seq }
        case 6:
            if b[0] == UInt8(ascii: "s"), b[1] == UInt8(ascii: "e"), b[2] == UInt8(ascii: "r"), b[3] == UInt8(ascii: "i"),
               b[4] == UInt8(ascii: "e"), b[5] == UInt8(ascii: "s") { return .series }
        default:
            break
        }
        return .unknown
    }

    func qualityOf(_ s: StringToken) -> Quality? {
        if s.hasEscape { return decode(s).withUnsafeBytes { Self.quality(bytes: $0) } }
        return Self.quality(bytes: UnsafeRawBufferPointer(start: base + s.start, count: s.end - s.start))
    }

    @inline(__always)
    static func quality(bytes b: UnsafeRawBufferPointer) -> Quality? {
        @inline(__always) func equals(_ word: StaticString) -> Bool {
            guard b.count == word.utf8CodeUnitCount else { return false }
            for k in 0 ..< b.count where b[k] != word.utf8Start[k] { return false }
            return true
        }
        if equals("good") { return .good }
        if equals("bad") { return .bad }
        if equals("uncertain") { return .uncertain }
        return nil
    }

    // MARK: - Tokens

    @inline(__always)
    func peek() -> UInt8 {
        i < end ? base.load(fromByteOffset: i, as: UInt8.self) : 0
    }

    @inline(__always)
    mutating func skipSpace() {
        while i < end, PayloadParser.isSpace(base.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    mutating func expectEnd() throws(ParseRejection) {
        skipSpace()
        if i != end { throw ParseRejection(.malformedJSON, "trailing data at byte \(i): '\(excerpt(i, end))'") }
    }

    @inline(__always)
    mutating func scanNumber() throws(ParseRejection) -> DecimalNumber {
        guard let num = DecimalNumber.scan(base, i, end, json: true) else {
            let e = DecimalNumber.scan(base, i, end, json: false)?.end ?? i + 1
            throw ParseRejection(.malformedJSON, "bad number '\(excerpt(i, min(max(e, i + 1), end)))' at byte \(i)")
        }
        i = num.end
        return num
    }

    @inline(__always)
    mutating func scanString() throws(ParseRejection) -> StringToken {
        i += 1 // opening quote
        let start = i
        var escaped = false
        while true {
            guard i < end else { throw ParseRejection(.malformedJSON, "truncated: unterminated string from byte \(start - 1)") }
            let c = base.load(fromByteOffset: i, as: UInt8.self)
            if c == UInt8(ascii: "\"") {
                i += 1
                return StringToken(start: start, end: i - 1, hasEscape: escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < end else { throw ParseRejection(.malformedJSON, "truncated: unterminated string from byte \(start - 1)") }
                switch base.load(fromByteOffset: i + 1, as: UInt8.self) {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= end, (2 ..< 6).allSatisfy({ Self.hexValue(base.load(fromByteOffset: i + $0, as: UInt8.self)) != nil }) else {
                        throw ParseRejection(.malformedJSON, "bad \\u escape at byte \(i)")
                    }
                    i += 6
                default:
                    throw ParseRejection(.malformedJSON, "bad escape at byte \(i)")
                }
                continue
            }
            if c < 0x20 { throw ParseRejection(.malformedJSON, "control character 0x\(String(c, radix: 16)) in string at byte \(i)") }
            i += 1
        }
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The UTF-8 bytes of a (validated) string with escapes decoded; lone
    /// surrogates become U+FFFD. Slow path only (keys or values with escapes).
    func decode(_ s: StringToken) -> [UInt8] {
        var out: [UInt8] = []
        var k = s.start
        @inline(__always) func byte(_ at: Int) -> UInt8 { base.load(fromByteOffset: at, as: UInt8.self) }
        func hex4(_ at: Int) -> UInt32 { (0 ..< 4).reduce(0) { $0 << 4 | (Self.hexValue(byte(at + $1)) ?? 0) } }
        while k < s.end {
            let c = byte(k)
            guard c == UInt8(ascii: "\\") else { out.append(c); k += 1; continue }
            let e = byte(k + 1)
            k += 2
            switch e {
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var scalar = hex4(k)
                k += 4
                if scalar >= 0xD800, scalar < 0xDC00, k + 6 <= s.end, byte(k) == UInt8(ascii: "\\"), byte(k + 1) == UInt8(ascii: "u") {
                    let low = hex4(k + 2)
                    if low >= 0xDC00, low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        k += 6
                    }
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
            default: out.append(e)
            }
        }
        return out
    }

    mutating func literal(_ word: StaticString) throws(ParseRejection) {
        let n = word.utf8CodeUnitCount
        guard i + n <= end, memEqual(base + i, word.utf8Start, n) else {
            throw ParseRejection(.malformedJSON, i + n > end && memEqual(base + i, word.utf8Start, end - i)
                ? "truncated: \(word) cut off at end of payload" : "unexpected '\(excerpt(i, min(i + n, end)))' at byte \(i)")
        }
        i += n
    }

    @inline(__always)
    func memEqual(_ a: UnsafeRawPointer, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for k in 0 ..< n where a.load(fromByteOffset: k, as: UInt8.self) != b[k] { return false }
        return true
    }

    /// Skips one value of any type, validating it; containers may nest up to
    /// `maxDepth` counting the `depth` of the container holding the value.
    mutating func skipValue(depth: Int) throws(ParseRejection) {
        var stack: UInt64 = 0 // bit 0 = innermost open container; 1 = array, 0 = object
        var level = 0
        while true {
            skipSpace()
            let c = peek()
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth + level + 1 > maxDepth { throw tooDeep() }
                i += 1
                level += 1
                stack = stack << 1 | (c == UInt8(ascii: "[") ? 1 : 0)
                skipSpace()
                let close = c == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
                if peek() == close {
                    i += 1
                    level -= 1
                    stack >>= 1
                } else {
                    if c == UInt8(ascii: "{") { try keyAndColon() }
                    continue
                }
            case UInt8(ascii: "\""):
                _ = try scanString()
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"):
                _ = try scanNumber()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default:
                throw syntax("a value")
            }
            // A value is complete: close finished containers, or go on to the next value.
            while true {
                if level == 0 { return }
                skipSpace()
                let d = peek()
                let inArray = stack & 1 == 1
                if d == UInt8(ascii: ",") {
                    i += 1
                    if !inArray { skipSpace(); try keyAndColon() }
                    break
                }
                if d == (inArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                    i += 1
                    level -= 1
                    stack >>= 1
                    continue
                }
                throw syntax(inArray ? "',' or ']'" : "',' or '}'")
            }
        }
    }

    mutating func keyAndColon() throws(ParseRejection) {
        guard peek() == UInt8(ascii: "\"") else { throw syntax("object key") }
        _ = try scanString()
        skipSpace()
        guard peek() == UInt8(ascii: ":") else { throw syntax("':'") }
        i += 1
    }

    // MARK: - Errors

    func syntax(_ expected: String) -> ParseRejection {
        if i >= end { return ParseRejection(.malformedJSON, "truncated: \(expected) expected at end of payload") }
        return ParseRejection(.malformedJSON, "\(expected) expected at byte \(i), found '\(excerpt(i, min(i + 1, end)))'")
    }

    func tooDeep() -> ParseRejection {
        ParseRejection(.tooDeep, "nesting deeper than \(maxDepth) at byte \(i)")
    }

    func excerpt(_ from: Int, _ to: Int) -> String {
        PayloadParser.excerpt(base, from, to)
    }

    static func prefix(_ element: Int?) -> String {
        element.map { "element \($0): " } ?? ""
    }

    static func typeName(_ c: UInt8) -> String {
        switch c {
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): "a number"
        default: "not a JSON value"
        }
    }
}
