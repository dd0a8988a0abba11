/// Minimal JSON writing for JSON Lines output (RFC 8259 string escaping).
enum JSON {
    static func append(_ cell: OutputCell, to out: inout String) {
        switch cell {
        case .text(let s): appendString(s, to: &out)
        case .int(let i): out += String(i)
        case .number(let d): out += d.isFinite ? OutputCell.format(d) : "null"
        case .null: out += "null"
        case .counts(let kv):
            out += "{"
            for (i, (k, v)) in kv.enumerated() {
                if i > 0 { out += "," }
                appendString(k, to: &out)
                out += ":" + String(v)
            }
            out += "}"
        }
    }

    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += "\\u" + String(u.value, radix: 16).leftPadded(4)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
