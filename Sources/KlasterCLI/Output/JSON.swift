/// The product's one JSON string quoter (RFC 8259 §7), on bytes, for JSON
/// Lines output (alert payloads go through `JSONEncoder`).
enum JSON {
    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string: quotes, `\"`, `\\`, `\n`, `\r`, `\t`, and
    /// `\u00XX` for the other control characters; UTF-8 passes through.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), c])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(c >> 4)], hex[Int(c & 15)]])
            default:
                out.append(c)   // valid UTF-8: it came from a Swift String
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a cell as a JSON value: numbers at full precision, a non-finite
    /// number or `.null` as `null`.
    static func append(_ cell: OutputCell, to out: inout [UInt8]) {
        switch cell {
        case .text(let s): appendString(s, to: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .number(let d): out.append(contentsOf: (NumberText.exact(d) ?? "null").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .counts(let kv):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in kv.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(k, to: &out)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: String(v).utf8)
            }
            out.append(UInt8(ascii: "}"))
        case .structured(let json, _):
            out.append(contentsOf: json.utf8)
        }
    }
}
