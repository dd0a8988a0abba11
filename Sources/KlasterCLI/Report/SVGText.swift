import KlasterCore

/// Escaping and number formatting for the HTML report.
enum SVGText {
    /// Escapes text for HTML/SVG content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Coordinates are clamped to this magnitude: far outside any chart's
    /// viewBox, and small enough for exact two-decimal rounding.
    static let coordLimit = 1e9

    /// A coordinate with at most two decimals (`12.5`, `100`); a non-finite
    /// value (a sum that overflowed) is 0, a huge one is clamped to `coordLimit`.
    static func coord(_ v: Double) -> String {
        let v = v.isNaN ? 0 : Swift.min(Swift.max(v, -coordLimit), coordLimit)
        return NumberText.rounded(v, decimals: 2) ?? "0"
    }

    /// An exact machine value for `data-value` attributes (shortest round-trip form; empty when not finite).
    static func raw(_ v: Double) -> String {
        NumberText.exact(v) ?? ""
    }

    /// A human number with thousands separators and `digits` decimals: `1,234,567.8`.
    static func number(_ v: Double, digits: Int = 0) -> String {
        guard let text = NumberText.rounded(v, decimals: digits) else { return "–" }
        // Beyond 1e16 the text is in exponent form (`1.8446744073709552e+19`):
        // nothing to group, and splitting it at the point would show "1".
        if text.contains("e") { return text }
        var body = Substring(text)
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1)
        let whole = String(parts[0])
        var grouped = ""
        for (i, c) in whole.enumerated() {
            if i > 0, (whole.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        if digits > 0 {
            let frac = parts.count > 1 ? String(parts[1]) : ""
            grouped += "." + frac + String(repeating: "0", count: max(0, digits - frac.count))
        }
        return (negative ? "-" : "") + grouped
    }

    /// A short axis label: `1.2M`, `350k`, `12`.
    static func short(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        let a = abs(v)
        if a >= 1_000_000 { return trim(v / 1_000_000) + "M" }
        if a >= 1_000 { return trim(v / 1_000) + "k" }
        return trim(v)
    }

    private static func trim(_ v: Double) -> String {
        NumberText.rounded(v, decimals: 1) ?? "–"
    }

    /// `1 Mar` style day label (UTC).
    static func day(_ ms: EpochMillis) -> String {
        let (_, m, d) = CivilDate.civilFromDays(ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(d) \(months[Int(m) - 1])"
    }

    /// `1 Mar` style label of a `2026-03-01` date.
    static func day(date: String) -> String {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m) else { return date }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(d) \(months[m - 1])"
    }

    /// `2026-03-01 12:00 UTC`.
    static func minute(_ ms: EpochMillis) -> String {
        let s = RFC3339.format(ms - ms % 60_000)
        return String(s.prefix(10)) + " " + String(s.dropFirst(11).prefix(5)) + " UTC"
    }

    /// Tick values 0, step, 2·step … covering `max` with a 1-2-5 step (about `count` ticks).
    static func ticks(max: Double, count: Int = 5) -> [Double] {
        guard max > 0, max.isFinite else { return [0, 1] }
        let rough = max / Double(count)
        var p = 1.0
        while p * 10 <= rough { p *= 10 }
        while p > rough { p /= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= rough } ?? p * 10
        var out: [Double] = []
        var v = 0.0
        while v < max + step * 0.999 {
            out.append(v)
            v += step
        }
        return out
    }
}
