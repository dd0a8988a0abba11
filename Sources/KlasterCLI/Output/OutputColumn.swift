/// A column: its stable field name (CSV header, JSON key), its table header,
/// how the table aligns it and how many decimals the table shows.
///
/// Table headers are lower case, the field name with the unit in brackets
/// (`min [kWh]`, `co2e [kg]`) and `(UTC)` on times, in every command.
struct OutputColumn: Sendable {
    enum Alignment: Sendable {
        case left, right
    }

    var field: String
    var header: String
    var alignment: Alignment
    /// Decimals of a `.number` cell in a table (CSV and JSON keep full precision).
    var decimals: Int

    init(_ field: String, header: String? = nil, alignment: Alignment = .left, decimals: Int = NumberText.defaultDecimals) {
        self.field = field
        self.header = header ?? field
        self.alignment = alignment
        self.decimals = decimals
    }

    /// A left-aligned text column.
    static func text(_ field: String, header: String? = nil) -> OutputColumn {
        OutputColumn(field, header: header)
    }

    /// A right-aligned numeric column; `unit` goes into the header in brackets.
    static func number(_ field: String, header: String? = nil, unit: String? = nil,
                              decimals: Int = NumberText.defaultDecimals) -> OutputColumn {
        var h = header ?? field
        if let unit, !unit.isEmpty { h += " [\(unit)]" }
        return OutputColumn(field, header: h, alignment: .right, decimals: decimals)
    }
}
