import KlasterCore

/// Streams rows to stdout in one of the three formats. CSV and JSON Lines are
/// written as rows arrive, through a byte buffer flushed every 64 KiB (so a
/// year of hourly buckets never sits in memory as text); `table` must see
/// every row to size its columns, so it collects them and prints at `finish()`.
final class OutputWriter {
    private let format: OutputFormat
    private let columns: [OutputColumn]
    private var table: OutputTable?
    private var buffer: [UInt8] = []
    private let sink: (([UInt8]) throws(KlasterError) -> Void)

    /// - Parameter sink: Where bytes go; stdout by default (tests capture them).
    init(format: OutputFormat, columns: [OutputColumn],
         sink: @escaping ([UInt8]) throws(KlasterError) -> Void = StandardOutput.writeBytes) {
        self.format = format
        self.columns = columns
        self.sink = sink
        buffer.reserveCapacity(1 << 16)
        switch format {
        case .table:
            table = OutputTable(columns: columns)
        case .csv:
            for (i, c) in columns.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                CSV.append(c.field, to: &buffer)
            }
            buffer.append(UInt8(ascii: "\n"))
        case .json:
            break
        }
    }

    /// Adds one row (as many cells as columns).
    func row(_ cells: [OutputCell]) throws(KlasterError) {
        switch format {
        case .table:
            table?.append(cells)
            return
        case .csv:
            for (i, cell) in cells.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                CSV.append(cell, to: &buffer)
            }
            buffer.append(UInt8(ascii: "\n"))
        case .json:
            buffer.append(UInt8(ascii: "{"))
            for (i, cell) in cells.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                JSON.appendString(columns[i].field, to: &buffer)
                buffer.append(UInt8(ascii: ":"))
                JSON.append(cell, to: &buffer)
            }
            buffer.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        }
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes what is left (the whole table for `table`).
    func finish() throws(KlasterError) {
        if let table { buffer.append(contentsOf: table.render(.table).utf8) }
        try flush()
    }

    private func flush() throws(KlasterError) {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
