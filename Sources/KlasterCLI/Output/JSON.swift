/// Minimal JSON writing for JSON Lines output (RFC 8259 string escaping), on bytes.
enum JSON {
    static func append(_ cell: OutputCell, to out: inout [UInt8]) {
        switch cell {
        case .text(let s): appendString(s, to: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .number(let d): out.append(contentsOf: (d.isFinite ? OutputCell.format(d) : "null").utf8)
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
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), c])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), c])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(c >> 4)], hex[Int(c & 15)]])
            default:
                out.append(c)   // UTF-8 passes through unchanged (valid: it came from a Swift String)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
