/// RFC 3339 timestamps without Foundation: a byte parser for the ingest hot
/// path and a formatter for output. Civil-date maths in `CivilDate`.
public enum RFC3339 {
    /// Latest accepted instant: 9999-12-31T23:59:59.999Z.
    public static let maxMillis: EpochMillis = 253_402_300_799_999
    /// Earliest accepted instant: 0000-01-01T00:00:00Z.
    public static let minMillis: EpochMillis = -62_167_219_200_000

    /// Formats epoch milliseconds as RFC 3339 in UTC with `Z`:
    /// `2026-03-01T12:00:00Z`, or `2026-03-01T12:00:00.250Z` when the
    /// millisecond part is not zero. Instants outside years 0...9999 are clamped.
    public static func format(_ ms: EpochMillis) -> String {
        let ms = min(max(ms, minMillis), maxMillis)
        let msOfDay = ((ms % 86_400_000) + 86_400_000) % 86_400_000
        let days = (ms - msOfDay) / 86_400_000
        let (y, mo, d) = CivilDate.civilFromDays(days)
        let secOfDay = msOfDay / 1000
        let frac = msOfDay % 1000
        let n = frac == 0 ? 20 : 24
        return String(unsafeUninitializedCapacity: n) { out in
            func put(_ v: Int64, _ width: Int, at i: Int) {
                var v = v
                var j = i + width - 1
                while j >= i {
                    out[j] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
                    v /= 10
                    j -= 1
                }
            }
            put(y, 4, at: 0); out[4] = UInt8(ascii: "-")
            put(mo, 2, at: 5); out[7] = UInt8(ascii: "-")
            put(d, 2, at: 8); out[10] = UInt8(ascii: "T")
            put(secOfDay / 3600, 2, at: 11); out[13] = UInt8(ascii: ":")
            put(secOfDay / 60 % 60, 2, at: 14); out[16] = UInt8(ascii: ":")
            put(secOfDay % 60, 2, at: 17)
            if frac != 0 {
                out[19] = UInt8(ascii: ".")
                put(frac, 3, at: 20)
            }
            out[n - 1] = UInt8(ascii: "Z")
            return n
        }
    }

    /// Parses an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`;
    /// `T` may be `t` or a space, `Z` may be `z`; `:60` is accepted only for
    /// the 27 real leap seconds (23:59:60 UTC) and rolls into the next minute; fractional digits beyond milliseconds are truncated).
    /// - Returns: Epoch milliseconds, or `nil` when the bytes are not a valid date-time.
    /// - Complexity: O(n), no allocation.
    public static func parse(_ b: UnsafeRawBufferPointer) -> EpochMillis? {
        guard b.count >= 20 else { return nil }
        guard let days = dateDays(b) else { return nil }
        let t = b[10]
        guard t == UInt8(ascii: "T") || t == UInt8(ascii: "t") || t == UInt8(ascii: " ") else { return nil }
        guard let hh = digits(b, 11, 2), b[13] == UInt8(ascii: ":"),
              let mi = digits(b, 14, 2), b[16] == UInt8(ascii: ":"),
              let ss = digits(b, 17, 2),
              hh <= 23, mi <= 59, ss <= 60 else { return nil }
        var i = 19
        var frac: Int64 = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            var scale: Int64 = 100
            while i < b.count, let dv = digit(b[i]) {
                frac += dv * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        guard i < b.count else { return nil }
        var offsetMinutes: Int64 = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == b.count, let oh = digits(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                  let om = digits(b, i + 4, 2), oh <= 23, om <= 59 else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let secs = days * 86_400 + hh * 3600 + mi * 60 + ss - offsetMinutes * 60
        // `:60` only where a leap second was: 23:59:60 UTC at the end of a day
        // that IERS gave one. It rolls into the next day's 00:00:00.
        if ss == 60, secs % 86_400 != 0 || !leapSecondDays.contains(secs / 86_400) { return nil }
        return secs * 1000 + frac
    }

    /// The days (since 1970-01-01) that began right after an inserted leap
    /// second: all 27 of them, 1972-07-01 … 2017-01-01 (IERS Bulletin C; none
    /// is announced since, and the CGPM decided in 2022 to stop them by 2035).
    static let leapSecondDays: Set<Int64> = {
        let firstDays: [(Int64, Int64)] = [
            (1972, 7), (1973, 1), (1974, 1), (1975, 1), (1976, 1), (1977, 1), (1978, 1), (1979, 1), (1980, 1),
            (1981, 7), (1982, 7), (1983, 7), (1985, 7), (1988, 1), (1990, 1), (1991, 1), (1992, 7), (1993, 7),
            (1994, 7), (1996, 1), (1997, 7), (1999, 1), (2006, 1), (2009, 1), (2012, 7), (2015, 7), (2017, 1),
        ]
        return Set(firstDays.map { CivilDate.daysFromCivil(year: $0.0, month: $0.1, day: 1) })
    }()

    /// Parses a String as `parse(_:)` does.
    public static func parse(_ s: String) -> EpochMillis? {
        var s = s
        return s.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses a bare date `YYYY-MM-DD` as midnight UTC.
    public static func parseDate(_ b: UnsafeRawBufferPointer) -> EpochMillis? {
        guard b.count == 10, let days = dateDays(b) else { return nil }
        return days * 86_400_000
    }

    @inline(__always)
    static func dateDays(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard let y = digits(b, 0, 4), b[4] == UInt8(ascii: "-"),
              let m = digits(b, 5, 2), b[7] == UInt8(ascii: "-"),
              let d = digits(b, 8, 2),
              m >= 1, m <= 12, d >= 1, d <= CivilDate.daysInMonth(year: y, month: m) else { return nil }
        return CivilDate.daysFromCivil(year: y, month: m, day: d)
    }

    @inline(__always)
    static func digit(_ c: UInt8) -> Int64? {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") ? Int64(c &- UInt8(ascii: "0")) : nil
    }

    @inline(__always)
    static func digits(_ b: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Int64? {
        guard at + n <= b.count else { return nil }
        var v: Int64 = 0
        for k in at ..< at + n {
            guard let dv = digit(b[k]) else { return nil }
            v = v * 10 + dv
        }
        return v
    }
}
