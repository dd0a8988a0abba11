/// Proleptic Gregorian calendar arithmetic in UTC, after Howard Hinnant's
/// `days_from_civil` / `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html).
/// Pure integer maths: no Foundation, no allocation, correct for negative days.
public enum CivilDate {
    /// Days since 1970-01-01 of the given proleptic Gregorian date.
    /// - Parameters:
    ///   - y: Year (any; 0 is 1 BC).
    ///   - m: Month 1...12.
    ///   - d: Day 1...31 (not range-checked here; see `daysInMonth`).
    @inlinable
    public static func daysFromCivil(year y: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400                                   // [0, 399]
        let mp = m > 2 ? m - 3 : m + 9                            // March = 0
        let doy = (153 * mp + 2) / 5 + d - 1                      // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy           // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of `z` days since 1970-01-01.
    @inlinable
    public static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097                                // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)          // [0, 365]
        let mp = (5 * doy + 2) / 153                               // [0, 11]
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Whether `y` is a Gregorian leap year.
    @inlinable
    public static func isLeapYear(_ y: Int64) -> Bool {
        y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
    }

    /// Number of days in month `m` (1...12) of year `y`.
    @inlinable
    public static func daysInMonth(year y: Int64, month m: Int64) -> Int64 {
        switch m {
        case 2: isLeapYear(y) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
