/// RFC 4180 field quoting, on bytes.
enum CSV {
    /// Appends `s`, quoted (with `""` for a quote) when it holds a comma, a quote or a line break.
    static func append(_ s: String, to out: inout [UInt8]) {
        let u = s.utf8
        let needsQuotes = u.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        if !needsQuotes { out.append(contentsOf: u); return }
        out.append(UInt8(ascii: "\""))
        for c in u {
            if c == UInt8(ascii: "\"") { out.append(c) }
            out.append(c)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a cell: numbers at full precision; `.null` and a non-finite number as an empty field.
    static func append(_ cell: OutputCell, to out: inout [UInt8]) {
        switch cell {
        case .text(let s): append(s, to: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .number(let d): out.append(contentsOf: (NumberText.exact(d) ?? "").utf8)
        case .null: break
        case .counts, .structured: append(cell.text(decimals: nil), to: &out)
        }
    }
}
