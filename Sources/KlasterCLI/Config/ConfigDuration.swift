import KlasterCore

/// Durations as the config and `--every` write them: `500ms`, `30s`, `5m`,
/// `1h`, `1d` (also combined, `1h30m`). Returns milliseconds, or `nil`.
///
/// TODO(store-cli): forward to KlasterCore's `DurationParser` once it lands,
/// so that one parser serves the whole product.
enum ConfigDuration {
    static func parse(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        guard !s.isEmpty else { return nil }
        var i = 0
        var total: Int64 = 0
        while i < s.count {
            var n: Int64 = 0
            let digitsStart = i
            while i < s.count, s[i] >= 48, s[i] <= 57 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(s[i] - 48))
                if o1 || o2 { return nil }
                n = a
                i += 1
            }
            guard i > digitsStart, i < s.count else { return nil }
            let unit: Int64
            if s[i] == UInt8(ascii: "m"), i + 1 < s.count, s[i + 1] == UInt8(ascii: "s") {
                unit = 1; i += 2
            } else {
                switch s[i] {
                case UInt8(ascii: "s"): unit = 1000
                case UInt8(ascii: "m"): unit = 60_000
                case UInt8(ascii: "h"): unit = 3_600_000
                case UInt8(ascii: "d"): unit = 86_400_000
                default: return nil
                }
                i += 1
            }
            let (p, o) = n.multipliedReportingOverflow(by: unit)
            if o { return nil }
            total += p
        }
        return total
    }
}
