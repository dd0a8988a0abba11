/// The product's one number formatter: every command, the report and
/// `klaster check` print numbers through it.
///
/// Two renderings: `exact` for machines (CSV, JSON, data attributes) keeps
/// full precision, `rounded` for people (tables, Nagios text, the HTML page)
/// shows no more decimals than the quantity's resolution supports. Neither
/// ever prints `inf` or `nan`: a non-finite value has no text (`nil`), which
/// the callers write as JSON `null` or an empty cell.
enum NumberText {
    /// Decimals a table shows unless a column says otherwise: meters report
    /// kWh, Nm³, t and kg to about three decimals at best.
    static let defaultDecimals = 3

    /// The shortest decimal that reads back as the same `Double`; integral
    /// values without `.0` (`1985`, `992.5`, `0.1`).
    /// - Returns: `nil` when `value` is NaN or infinite.
    static func exact(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `value` rounded half away from zero to at most `decimals` decimals, in
    /// its shortest form (`4241402.12`, `480`, never `-0`).
    /// - Returns: `nil` when `value` is NaN or infinite.
    static func rounded(_ value: Double, decimals: Int) -> String? {
        guard value.isFinite else { return nil }
        // Beyond 1e15 a Double has no fractional digits left to round away.
        guard abs(value) < 1e15 else { return exact(value) }
        var scale = 1.0
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let r = (value * scale).rounded() / scale
        if r == 0 { return "0" }
        return exact(r)
    }
}
