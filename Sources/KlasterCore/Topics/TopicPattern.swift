/// A configured topic pattern (`mqtt.topic_pattern`), e.g.
/// `nextgen/{plant}/{meter}/{quantity}`: named levels `{name}`, literal levels,
/// `+` (any one level, ignored) and `#` (any remaining levels, ignored; last only).
/// The series key of a matching topic is its named levels joined by `/` in
/// pattern order.
public struct TopicPattern: Sendable, Equatable, CustomStringConvertible {
    /// One level of the pattern.
    public enum Level: Sendable, Equatable {
        /// Must equal these bytes.
        case literal([UInt8])
        /// Any non-empty, valid UTF-8 level; its value is part of the series key.
        case named(String)
        /// `+`: any one level.
        case single
        /// `#`: zero or more remaining levels.
        case multi
    }

    /// The pattern text as configured.
    public let description: String
    /// The levels, in order.
    public let levels: [Level]
    /// Names of the `{name}` levels, in pattern order.
    public let names: [String]
    /// Position of `{plant}` in `names`, if the pattern has it.
    public let plantIndex: Int?
    /// Position of `{quantity}` in `names`, if the pattern has it.
    public let quantityIndex: Int?

    /// The default pattern.
    public static let `default` = try! TopicPattern("nextgen/{plant}/{meter}/{quantity}")

    /// Parses a pattern.
    /// - Throws: `KlasterError(.usage)` when a level mixes `{}`/`+`/`#` with text,
    ///   a name is empty or repeated, `#` is not last, or there is no named level.
    public init(_ pattern: String) throws(KlasterError) {
        func bad(_ why: String) -> KlasterError {
            KlasterError(.usage, "bad topic pattern '\(pattern)': \(why)",
                         hint: "use levels like nextgen/{plant}/{meter}/{quantity}, with + and a final #")
        }
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        var levels: [Level] = []
        var names: [String] = []
        for (i, part) in parts.enumerated() {
            if part == "+" {
                levels.append(.single)
            } else if part == "#" {
                if i != parts.count - 1 { throw bad("# must be the last level") }
                levels.append(.multi)
            } else if part.hasPrefix("{") && part.hasSuffix("}") && part.count >= 2 {
                let name = String(part.dropFirst().dropLast())
                if name.isEmpty { throw bad("empty level name {}") }
                if !name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }) {
                    throw bad("level name '\(name)' may hold only letters, digits, _ and -")
                }
                if names.contains(name) { throw bad("level name {\(name)} appears twice") }
                names.append(name)
                levels.append(.named(name))
            } else {
                if part.contains(where: { "+#{}".contains($0) }) { throw bad("level '\(part)' mixes text with {, }, + or #") }
                levels.append(.literal(Array(part.utf8)))
            }
        }
        if names.isEmpty { throw bad("no named level ({plant}, {meter}, …), so no series key") }
        self.description = pattern
        self.levels = levels
        self.names = names
        self.plantIndex = names.firstIndex(of: "plant")
        self.quantityIndex = names.firstIndex(of: "quantity")
    }

    /// Whether the pattern has a `{plant}` level (new series then carry a plant).
    public var hasPlant: Bool { plantIndex != nil }
    /// Whether the pattern has a `{quantity}` level (kind and unit then come from the quantity table).
    public var hasQuantity: Bool { quantityIndex != nil }

    /// The MQTT subscription filter that covers the pattern (named levels become `+`).
    public var subscriptionFilter: String {
        levels.map { level -> String in
            switch level {
            case .literal(let b): String(decoding: b, as: UTF8.self)
            case .named, .single: "+"
            case .multi: "#"
            }
        }.joined(separator: "/")
    }

    /// Matches a topic against the pattern.
    /// - Returns: The values of the named levels in pattern order, or `nil` when
    ///   the topic does not match (wrong depth, a literal differs) or a named
    ///   level breaks `SeriesKeyRules` (see `values(of:)` for why).
    public func match(_ topic: UnsafeRawBufferPointer) -> [String]? {
        try? values(of: topic).get()
    }

    /// Matches a topic against the pattern and checks its named levels with
    /// `SeriesKeyRules`, saying why when it fails.
    /// - Returns: The values of the named levels in pattern order, or the
    ///   rejection: `bad_topic` (no match, or a level `SeriesKeyRules` refuses)
    ///   or `invalid_utf8`.
    public func values(of topic: UnsafeRawBufferPointer) -> Result<[String], ParseRejection> {
        var values: [String] = []
        values.reserveCapacity(names.count)
        let n = topic.count
        var start = 0 // start of the current topic level; n + 1 = no levels left
        var keyBytes = -1
        for level in levels {
            if case .multi = level { break }
            if start > n { return .failure(mismatch(topic)) }
            var end = start
            while end < n, topic[end] != UInt8(ascii: "/") { end += 1 }
            let segment = UnsafeRawBufferPointer(rebasing: topic[start ..< end])
            switch level {
            case .literal(let lit):
                if !lit.elementsEqual(segment) { return .failure(mismatch(topic)) }
            case .named:
                if segment.isEmpty { return .failure(mismatch(topic)) }
                if let r = SeriesKeyRules.check(level: segment, position: values.count + 1) { return .failure(r) }
                values.append(String(decoding: segment, as: UTF8.self))
                keyBytes += segment.count + 1
            case .single, .multi:
                break
            }
            start = end + 1
        }
        if case .multi? = levels.last {} else if start != n + 1 { return .failure(mismatch(topic)) }
        if let r = SeriesKeyRules.checkLength(keyBytes) { return .failure(r) }
        return .success(values)
    }

    private func mismatch(_ topic: UnsafeRawBufferPointer) -> ParseRejection {
        let shown = String(decoding: topic.prefix(200), as: UTF8.self)
        return ParseRejection(.badTopic, "topic '\(shown)\(topic.count > 200 ? "…" : "")' does not match pattern '\(description)'")
    }

    /// Matches a topic given as a String (see `match(_:)` on bytes).
    public func match(_ topic: String) -> [String]? {
        var topic = topic
        return topic.withUTF8 { match(UnsafeRawBufferPointer($0)) }
    }

    /// The series key of matched values: the named levels joined by `/`.
    public func seriesKey(_ values: [String]) -> String {
        values.joined(separator: "/")
    }
}
