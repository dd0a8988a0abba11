/// One value in an output row. Numbers stay numbers in JSON; `null` (and a
/// number that is not finite) is JSON `null` and an empty cell in table and CSV.
enum OutputCell: Sendable, Equatable {
    case text(String)
    case int(Int64)
    case number(Double)
    case null
    /// A JSON object of integer fields (stats' `deadletter_by_reason`); in table
    /// and CSV it prints as `key=value` pairs joined by `;`.
    case counts([(String, Int64)])
    /// A JSON value written as is (an array of objects: `cbam`'s coverage),
    /// with the text that stands for it in table and CSV.
    case structured(json: String, text: String)

    /// `.text`, or `.null` when absent.
    static func text(orNull s: String?) -> OutputCell { s.map(OutputCell.text) ?? .null }

    /// `.number`, or `.null` when absent.
    static func number(orNull d: Double?) -> OutputCell { d.map(OutputCell.number) ?? .null }

    static func == (a: OutputCell, b: OutputCell) -> Bool {
        switch (a, b) {
        case let (.text(x), .text(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.number(x), .number(y)): x == y
        case (.null, .null): true
        case let (.counts(x), .counts(y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        case let (.structured(x, _), .structured(y, _)): x == y
        default: false
        }
    }

    /// The cell as plain text: numbers rounded to `decimals` (a table), or at
    /// full precision when `decimals` is `nil`.
    func text(decimals: Int?) -> String {
        switch self {
        case .text(let s): s
        case .int(let i): String(i)
        case .number(let d): (decimals.map { NumberText.rounded(d, decimals: $0) } ?? NumberText.exact(d)) ?? ""
        case .null: ""
        case .counts(let kv): kv.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        case .structured(_, let text): text
        }
    }
}
