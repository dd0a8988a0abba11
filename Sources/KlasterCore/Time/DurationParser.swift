/// Parses the documented durations (`500ms`, `30s`, `5m`, `1h`, `1d`, `90m`)
/// and combinations of them (`1h30m`, `1d12h`) into milliseconds.
public enum DurationParser {
    /// Parses a duration into milliseconds.
    ///
    /// Grammar: one or more `<digits><unit>` parts, unit one of `ms`, `s`,
    /// `m`, `h`, `d`, `w`; parts add up. No sign, no spaces, no bare numbers
    /// (a bare `5` is ambiguous, so it is rejected).
    /// - Parameter s: The text, e.g. `"1h30m"`.
    /// - Returns: The duration in milliseconds (≥ 0).
    /// - Throws: `KlasterError(.usage, "bad duration '…'")` on anything else or on overflow,
    ///   and a leading `-` is said to be negative.
    public static func parse(_ s: String) throws(KlasterError) -> Int64 {
        if s.hasPrefix("-") {
            throw KlasterError(.usage, "bad duration '\(s)': a duration is never negative", hint: "give a positive duration or bucket width, e.g. 1h")
        }
        var utf8 = Array(s.utf8)
        if let ms = utf8.withUnsafeMutableBytes({ parse(bytes: UnsafeRawBufferPointer($0)) }) { return ms }
        utf8.removeAll()
        throw KlasterError(.usage, "bad duration '\(s)'", hint: "use e.g. 500ms, 30s, 5m, 1h, 1d or 1h30m")
    }

    /// Byte-level form of `parse(_:)`; `nil` when the bytes are not a duration.
    public static func parse(bytes b: UnsafeRawBufferPointer) -> Int64? {
        if b.isEmpty { return nil }
        var i = 0
        var total: Int64 = 0
        while i < b.count {
            var n: Int64 = 0
            let start = i
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - UInt8(ascii: "0")))
                if o1 || o2 { return nil }
                n = a
                i += 1
            }
            if i == start || i == b.count { return nil }
            let unit: Int64
            switch b[i] {
            case UInt8(ascii: "m"):
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "s") { unit = 1; i += 2 } else { unit = 60_000; i += 1 }
            case UInt8(ascii: "s"): unit = 1000; i += 1
            case UInt8(ascii: "h"): unit = 3_600_000; i += 1
            case UInt8(ascii: "d"): unit = 86_400_000; i += 1
            case UInt8(ascii: "w"): unit = 604_800_000; i += 1
            default: return nil
            }
            let (part, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 { return nil }
            total = sum
        }
        return total
    }

    /// The shortest form of `ms` that `parse` reads back (`90m` → `"1h30m"`, 0 → `"0s"`).
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms.magnitude
        var out = ms < 0 ? "-" : ""
        for (unit, name) in [(UInt64(86_400_000), "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s"), (1, "ms")] {
            if rest >= unit {
                out += "\(rest / unit)\(name)"
                rest %= unit
            }
        }
        return out
    }
}
