import Foundation
import KlasterCore

/// Table / CSV / JSON Lines output of the emissions, targets and report
/// commands: one column list, three renderings.
struct EmissionsOutput {
    enum Cell {
        case text(String)
        /// Text, or JSON null / empty when absent.
        case optional(String?)
        case number(Double?, digits: Int)
        case integer(Int64)
    }

    struct Column {
        var json: String
        var header: String
        var numeric: Bool
    }

    var columns: [Column]
    var rows: [[Cell]] = []

    /// A number rounded to `digits` decimals in its shortest form (`480`, `318082.192`).
    static func format(_ v: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        if r == 0 { return "0" }
        if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
        return String(r)
    }

    private func text(_ c: Cell) -> String {
        switch c {
        case .text(let s): s
        case .optional(let s): s ?? ""
        case .number(let v, let d): v.map { Self.format($0, digits: d) } ?? ""
        case .integer(let i): String(i)
        }
    }

    private func json(_ c: Cell) -> String {
        switch c {
        case .text(let s): JSONText.quote(s)
        case .optional(let s): s.map(JSONText.quote) ?? "null"
        case .number(let v, let d): v.map { Self.format($0, digits: d) } ?? "null"
        case .integer(let i): String(i)
        }
    }

    private static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The whole output, each line ending in `\n`.
    func render(_ format: OutputFormat) -> String {
        var out = ""
        switch format {
        case .json:
            for r in rows {
                out += "{" + zip(columns, r).map { "\"\($0.json)\":\(json($1))" }.joined(separator: ",") + "}\n"
            }
        case .csv:
            out += columns.map(\.json).joined(separator: ",") + "\n"
            for r in rows { out += r.map { Self.csvField(text($0)) }.joined(separator: ",") + "\n" }
        case .table:
            let cells = rows.map { $0.map(text) }
            var widths = columns.map(\.header.count)
            for r in cells { for (i, s) in r.enumerated() { widths[i] = Swift.max(widths[i], s.count) } }
            func line(_ items: [String]) -> String {
                var parts: [String] = []
                for (i, s) in items.enumerated() {
                    let pad = String(repeating: " ", count: widths[i] - s.count)
                    parts.append(columns[i].numeric ? pad + s : s + pad)
                }
                var l = parts.joined(separator: "  ")
                while l.last == " " { l.removeLast() }
                return l + "\n"
            }
            out += line(columns.map(\.header))
            for r in cells { out += line(r) }
        }
        return out
    }
}
