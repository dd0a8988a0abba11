import KlasterCore

/// A glob over series keys (`plant/meter/quantity`), matched in Swift — user
/// text never reaches SQL. `*` matches within one level (no `/`), `**` as a
/// whole level matches any number of levels (including none), `?` matches one
/// character other than `/`. Everything else is literal.
public struct SeriesGlob: Sendable, Equatable, CustomStringConvertible {
    private enum Token: Sendable, Equatable {
        case literal(UInt8)
        case any          // ?
        case star         // *
        case globstar     // ** (a whole level)
    }

    private let tokens: [Token]
    public let description: String

    /// - Throws: `KlasterError(.usage)` for an empty glob, control characters,
    ///   `**` that is not a whole level, or `***`.
    public init(_ text: String) throws(KlasterError) {
        description = text
        let b = Array(text.utf8)
        func bad(_ why: String) -> KlasterError {
            KlasterError(.usage, "bad series glob '\(text)': \(why)", hint: "use * within one level, ** across levels, ? for one character, e.g. socar-polymer/*/active_energy_kwh")
        }
        guard !b.isEmpty else { throw bad("empty") }
        var out: [Token] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x20 || c == 0x7F { throw bad("control character") }
            if c == UInt8(ascii: "*") {
                var n = 0
                while i < b.count, b[i] == UInt8(ascii: "*") { n += 1; i += 1 }
                if n > 2 { throw bad("*** is not a pattern") }
                if n == 2 {
                    let startsLevel = out.isEmpty || out.last == .literal(UInt8(ascii: "/"))
                    let endsLevel = i == b.count || b[i] == UInt8(ascii: "/")
                    guard startsLevel && endsLevel else { throw bad("** must be a whole level, like a/**/b") }
                    out.append(.globstar)
                    if i < b.count { i += 1 }  // the '/' after ** belongs to it
                } else {
                    out.append(.star)
                }
                continue
            }
            out.append(c == UInt8(ascii: "?") ? .any : .literal(c))
            i += 1
        }
        tokens = out
    }

    /// Whether the glob has no wildcard (then it names one series exactly).
    public var isLiteral: Bool { tokens.allSatisfy { if case .literal = $0 { true } else { false } } }

    /// Whether `key` matches.
    public func matches(_ key: String) -> Bool {
        let k = Array(key.utf8)
        return Self.match(tokens[...], k[...])
    }

    private static func match(_ p: ArraySlice<Token>, _ s: ArraySlice<UInt8>) -> Bool {
        var p = p
        var s = s
        while let t = p.first {
            switch t {
            case .literal(let c):
                guard s.first == c else { return false }
                p = p.dropFirst(); s = s.dropFirst()
            case .any:
                guard let c = s.first, c != UInt8(ascii: "/") else { return false }
                p = p.dropFirst(); s = s.dropFirst()
            case .star:
                let rest = p.dropFirst()
                var j = s.startIndex
                while true {
                    if match(rest, s[j...]) { return true }
                    if j == s.endIndex || s[j] == UInt8(ascii: "/") { return false }
                    j += 1
                }
            case .globstar:
                // Zero levels, or one level + '/' at a time (or all the rest when last).
                let rest = p.dropFirst()
                if rest.isEmpty { return true }
                if match(rest, s) { return true }
                var j = s.startIndex
                while j < s.endIndex {
                    if s[j] == UInt8(ascii: "/"), match(rest, s[(j + 1)...]) { return true }
                    j += 1
                }
                return false
            }
        }
        return s.isEmpty
    }
}
