import KlasterCore

/// Rows to print in one of the three formats: `table`, `csv`, `json`.
struct OutputTable: Sendable {
    var columns: [OutputColumn]
    var rows: [[OutputCell]] = []

    init(columns: [OutputColumn]) {
        self.columns = columns
    }

    mutating func append(_ row: [OutputCell]) {
        precondition(row.count == columns.count, "row has \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    /// Renders the whole output.
    /// - `table`: header and rows, each column padded to its widest cell and
    ///   aligned as the column says, numbers rounded to the column's decimals,
    ///   two spaces between columns, and no line ends in a space.
    /// - `csv`: a header row of field names, RFC 4180 quoting, LF line ends,
    ///   numbers at full precision.
    /// - `json`: JSON Lines, one object per row, keys in column order,
    ///   numbers at full precision.
    func render(_ format: OutputFormat) -> String {
        if format == .table { return renderTable() }
        var bytes: [UInt8] = []
        let writer = OutputWriter(format: format, columns: columns) { (b: [UInt8]) throws(KlasterError) in bytes += b }
        // The closure sink above never throws.
        for row in rows { try? writer.row(row) }
        try? writer.finish()
        return String(decoding: bytes, as: UTF8.self)
    }

    private func renderTable() -> String {
        let texts = rows.map { row in row.enumerated().map { i, cell in TableText.sanitize(cell.text(decimals: columns[i].decimals)) } }
        var widths = columns.map { $0.header.count }
        for row in texts {
            for (i, text) in row.enumerated() { widths[i] = max(widths[i], text.count) }
        }
        var out = ""
        func line(_ cells: [String]) {
            var s = ""
            for (i, c) in cells.enumerated() {
                if i > 0 { s += "  " }
                let pad = String(repeating: " ", count: widths[i] - c.count)
                s += columns[i].alignment == .right ? pad + c : c + pad
            }
            while s.last == " " { s.removeLast() }
            out += s + "\n"
        }
        line(columns.map(\.header))
        for row in texts { line(row) }
        return out
    }
}
