import Foundation
import KlasterCore

/// One value in an output row. Numbers stay numbers in JSON; `null` is an
/// empty cell in table and CSV.
public enum OutputCell: Sendable, Equatable {
    case text(String)
    case int(Int64)
    case number(Double)
    case null
    /// A JSON object of integer fields (stats' `deadletter_by_reason`); in table
    /// and CSV it prints as `key=value` pairs joined by `;`.
    case counts([(String, Int64)])

    public static func == (a: OutputCell, b: OutputCell) -> Bool {
        switch (a, b) {
        case let (.text(x), .text(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.number(x), .number(y)): x == y
        case (.null, .null): true
        case let (.counts(x), .counts(y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: false
        }
    }

    var isNumeric: Bool {
        switch self {
        case .int, .number: true
        default: false
        }
    }

    /// The cell as plain text (table and CSV).
    var plain: String {
        switch self {
        case .text(let s): s
        case .int(let i): String(i)
        case .number(let d): OutputCell.format(d)
        case .null: ""
        case .counts(let kv): kv.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        }
    }

    /// Shortest round-tripping decimal; integral values without `.0`.
    static func format(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }
}

/// A column: its stable field name (CSV header, JSON key) and the table
/// header (which may carry a unit, `min [kWh]`).
public struct OutputColumn: Sendable {
    public var field: String
    public var header: String

    public init(_ field: String, header: String? = nil) {
        self.field = field
        self.header = header ?? field
    }
}

/// Rows to print in one of the three formats of CONTRACT.md.
public struct OutputTable: Sendable {
    public var columns: [OutputColumn]
    public var rows: [[OutputCell]] = []

    public init(columns: [OutputColumn]) {
        self.columns = columns
    }

    public mutating func append(_ row: [OutputCell]) {
        precondition(row.count == columns.count, "row has \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    /// Renders the whole output.
    /// - `table`: header and rows, columns padded to their widest cell,
    ///   numbers right-aligned, two spaces between columns.
    /// - `csv`: a header row of field names, RFC 4180 quoting, LF line ends.
    /// - `json`: JSON Lines, one object per row, keys in column order.
    public func render(_ format: OutputFormat) -> String {
        if format == .table {
            var out = ""
            renderTable(into: &out)
            return out
        }
        var bytes: [UInt8] = []
        let writer = OutputWriter(format: format, columns: columns) { (b: [UInt8]) throws(KlasterError) in bytes += b }
        // The closure sink above never throws.
        for row in rows { try? writer.row(row) }
        try? writer.finish()
        return String(decoding: bytes, as: UTF8.self)
    }

    private func renderTable(into out: inout String) {
        var widths = columns.map { $0.header.count }
        var numeric = Array(repeating: false, count: columns.count)
        let texts = rows.map { row in row.map { TableText.sanitize($0.plain) } }
        for (r, row) in rows.enumerated() {
            for (i, cell) in row.enumerated() {
                widths[i] = max(widths[i], texts[r][i].count)
                if cell.isNumeric { numeric[i] = true }
            }
        }
        func line(_ cells: [String], header: Bool) {
            var s = ""
            for (i, c) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                let last = i == cells.count - 1
                if numeric[i] { s += pad + c } else { s += last ? c : c + pad }
                if !last { s += "  " }
            }
            out += s + "\n"
        }
        line(columns.map(\.header), header: true)
        for row in texts { line(row, header: false) }
    }
}

/// RFC 4180 field quoting, on bytes.
enum CSV {
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
}

/// Table cells are one line: control characters become visible escapes.
enum TableText {
    static func sanitize(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += "\\x" + String(u.value, radix: 16, uppercase: true).leftPadded(2) } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
