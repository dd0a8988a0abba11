import KlasterCore

/// Array literals in PostgreSQL's text format (`{1,2,NULL}`), the parameters
/// of the bulk `INSERT … SELECT FROM unnest($1::…[], …)` statements: one
/// round trip and one statement per batch and table, whatever its size.
struct PGArray {
    private var text: String = "{"
    private var empty = true

    init(reserving n: Int = 0) { text.reserveCapacity(2 + n * 8) }

    private mutating func separator() {
        if empty { empty = false } else { text.append(",") }
    }

    mutating func append(_ v: Int64) { separator(); text.append(String(v)) }
    mutating func append(_ v: Int64?) { if let v { append(v) } else { appendNull() } }
    mutating func append(_ v: Int) { append(Int64(v)) }
    /// Swift prints the shortest text that reads back as the same Double,
    /// and PostgreSQL (extra_float_digits ≥ 1, the default) prints it back
    /// the same way: values round-trip exactly. NaN becomes NULL, as SQLite
    /// binds it, so a NaN in a NOT NULL column fails the batch on both stores.
    mutating func append(_ v: Double) {
        separator()
        if v.isFinite { text.append(v.description) } else { text.append(v.isNaN ? "NULL" : v < 0 ? "-Infinity" : "Infinity") }
    }
    mutating func append(_ v: Double?) { if let v { append(v) } else { appendNull() } }
    mutating func appendNull() { separator(); text.append("NULL") }

    /// A quoted element; `"` and `\` escaped. PostgreSQL text cannot hold
    /// U+0000, so it becomes U+FFFD (a topic or detail is never rejected
    /// for it: bad input must not stop a batch).
    mutating func append(_ s: String) {
        separator()
        text.append("\"")
        for u in s.unicodeScalars {
            switch u {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\u{0}": text.append("\u{FFFD}")
            default: text.unicodeScalars.append(u)
            }
        }
        text.append("\"")
    }
    mutating func append(_ s: String?) { if let s { append(s) } else { appendNull() } }

    /// A `bytea` element in hex (`"\\x0aff"` inside the array literal).
    mutating func append(bytes: [UInt8]) {
        separator()
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = Array("\"\\\\x".utf8)
        out.reserveCapacity(out.count + bytes.count * 2 + 1)
        for b in bytes {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
        out.append(UInt8(ascii: "\""))
        text.append(String(decoding: out, as: UTF8.self))
    }

    /// The finished literal.
    var literal: String { text + "}" }
}

/// Text for PostgreSQL of a value bound as a scalar parameter.
enum PGText {
    static func text(_ v: Int64) -> String { String(v) }
    static func text(_ v: Int64?) -> String? { v.map(String.init) }
    static func text(_ v: Double?) -> String? {
        guard let v, !v.isNaN else { return nil }
        return v.isFinite ? v.description : v < 0 ? "-Infinity" : "Infinity"
    }
    /// Without U+0000, which PostgreSQL text cannot hold.
    static func text(_ s: String) -> String { s.contains("\u{0}") ? s.replacingZeros() : s }
}

extension String {
    fileprivate func replacingZeros() -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 })
        return out
    }
}
