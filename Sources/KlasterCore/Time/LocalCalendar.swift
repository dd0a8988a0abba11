import Foundation

/// A calendar period of a local calendar: `1d`, `1mo`, `1q`, `1y` as
/// `--every` and `--quarter` spell them.
public enum CalendarUnit: String, Sendable, CaseIterable {
    case day = "1d"
    case month = "1mo"
    case quarter = "1q"
    case year = "1y"

    /// The unit `--every` names, or `nil` for a fixed width (`1h`, `7d`, …).
    public init?(every: String) { self.init(rawValue: every) }
}

/// Days, months, quarters and years of one IANA time zone (Foundation's
/// `TimeZone` and Gregorian `Calendar`, backed by the system tz database,
/// Debian package `tzdata`).
///
/// A period starts at local midnight of its first day and ends at local
/// midnight of the next period, so a day is 23 or 25 hours long on the
/// days a zone changes its clocks (Europe/Berlin: 2026-03-29 has 23 hours,
/// 2026-10-25 has 25). Periods are epoch-millisecond ranges: what is local is
/// only where they begin and end; every instant stays UTC.
///
/// Stored buckets are UTC-aligned (`start = floor(ts / width) · width`), so a
/// period is an exact union of stored buckets only when its boundaries fall
/// on bucket edges: hourly buckets for whole-hour offsets (Asia/Baku +04:00),
/// 15-minute ones for :30 and :45 offsets (Asia/Kolkata, Asia/Kathmandu).
/// `baseWidth(for:stored:)` picks the coarsest stored width that is exact.
public struct LocalCalendar: Sendable {
    /// The zone's IANA name, as given (`Asia/Baku`).
    public let identifier: String
    private let calendar: Calendar

    /// - Parameter identifier: An IANA zone name (`Asia/Baku`, `Europe/Berlin`, `UTC`).
    /// - Returns: `nil` when the system knows no such zone.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        self.identifier = identifier
        self.calendar = cal
    }

    /// Like `init?(identifier:)`, throwing a usage error that names the option.
    /// - Throws: `KlasterError(.usage)` for an unknown zone.
    public static func named(_ identifier: String, option: String) throws(KlasterError) -> LocalCalendar {
        guard let c = LocalCalendar(identifier: identifier) else {
            throw KlasterError(.usage, "unknown time zone '\(identifier)' for \(option)", hint: "use an IANA name like Asia/Baku, Europe/Berlin or UTC")
        }
        return c
    }

    private func date(_ ms: EpochMillis) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
    private func millis(_ d: Date) -> EpochMillis { EpochMillis((d.timeIntervalSince1970 * 1000).rounded()) }

    /// Local midnight starting the given civil date (the first instant of that
    /// day where a zone skips midnight).
    public func startOfDay(year: Int, month: Int, day: Int) -> EpochMillis {
        // Noon always exists; startOfDay then finds the day's first instant.
        let noon = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
        return millis(calendar.startOfDay(for: noon))
    }

    /// Local civil date and hour of `ts`.
    public func components(of ts: EpochMillis) -> (year: Int, month: Int, day: Int) {
        let c = calendar.dateComponents([.year, .month, .day], from: date(ts))
        return (c.year!, c.month!, c.day!)
    }

    /// The local year holding `ts`.
    public func year(of ts: EpochMillis) -> Int { components(of: ts).year }

    /// Start of the period of `unit` that holds `ts`.
    public func start(of ts: EpochMillis, _ unit: CalendarUnit) -> EpochMillis {
        let (y, m, d) = components(of: ts)
        switch unit {
        case .day: return startOfDay(year: y, month: m, day: d)
        case .month: return startOfDay(year: y, month: m, day: 1)
        case .quarter: return startOfDay(year: y, month: (m - 1) / 3 * 3 + 1, day: 1)
        case .year: return startOfDay(year: y, month: 1, day: 1)
        }
    }

    /// Start of the period after the one starting at `start`.
    public func next(after start: EpochMillis, _ unit: CalendarUnit) -> EpochMillis {
        var (y, m, d) = components(of: start)
        switch unit {
        case .day:
            d += 1
            if d > Int(CivilDate.daysInMonth(year: Int64(y), month: Int64(m))) { d = 1; m += 1 }
        case .month: m += 1; d = 1
        case .quarter: m += 3; d = 1
        case .year: y += 1; m = 1; d = 1
        }
        if m > 12 { m -= 12; y += 1 }
        return startOfDay(year: y, month: m, day: d)
    }

    /// The periods of `unit` whose start lies in `[start(of: from), to)` —
    /// the same rule `query` applies to fixed-width buckets (`from` rounded
    /// down to its period).
    /// - Complexity: O(periods); each boundary is one calendar computation.
    public func periods(from: EpochMillis, to: EpochMillis, _ unit: CalendarUnit) -> [Range<EpochMillis>] {
        var out: [Range<EpochMillis>] = []
        var s = start(of: from, unit)
        while s < to {
            let e = next(after: s, unit)
            out.append(s..<e)
            s = e
        }
        return out
    }

    /// `[1 January, 1 January of the next year)` in this zone.
    public func interval(year: Int) -> Range<EpochMillis> {
        startOfDay(year: year, month: 1, day: 1)..<startOfDay(year: year + 1, month: 1, day: 1)
    }

    /// Quarter `quarter` (1…4) of `year` in this zone.
    public func interval(year: Int, quarter: Int) -> Range<EpochMillis> {
        let first = (quarter - 1) * 3 + 1
        let end = quarter == 4 ? startOfDay(year: year + 1, month: 1, day: 1) : startOfDay(year: year, month: first + 3, day: 1)
        return startOfDay(year: year, month: first, day: 1)..<end
    }

    /// UTC offset of the zone at `ts`, in seconds (Baku: 14 400).
    public func offsetSeconds(at ts: EpochMillis) -> Int {
        calendar.timeZone.secondsFromGMT(for: date(ts))
    }

    /// The coarsest of `stored` whose buckets tile every period exactly
    /// (every boundary a multiple of the width).
    /// - Returns: `nil` when none does (an offset finer than the finest width).
    public static func baseWidth(for periods: [Range<EpochMillis>], stored: [BucketWidth]) -> BucketWidth? {
        stored.sorted().reversed().first { w in
            periods.allSatisfy { $0.lowerBound % w.millis == 0 && $0.upperBound % w.millis == 0 }
        }
    }

    /// Merges UTC-aligned bucket rows of one series into the periods that hold
    /// their starts (rows outside every period are dropped). The merged row's
    /// `start` is the period's start, its `width` the period's length.
    /// - Parameters:
    ///   - rows: Rows of ONE series, ordered by start.
    ///   - periods: Ascending, contiguous or not, non-overlapping.
    /// - Returns: One row per period that holds a row, in period order.
    /// - Complexity: O(rows + periods).
    public static func regroup(_ rows: [BucketRow], into periods: [Range<EpochMillis>]) -> [BucketRow] {
        var out: [BucketRow] = []
        var grouper = PeriodGrouper(periods: periods)
        for r in rows { if let done = grouper.add(r) { out.append(done) } }
        if let last = grouper.finish() { out.append(last) }
        return out
    }
}

/// Streaming form of `LocalCalendar.regroup`: feed the rows of one series in
/// start order; a merged period row comes out when the next period begins.
public struct PeriodGrouper: Sendable {
    private let periods: [Range<EpochMillis>]
    private var index = 0
    private var current: BucketRow?

    public init(periods: [Range<EpochMillis>]) { self.periods = periods }

    /// Adds one row. - Returns: The previous period's row, once complete.
    public mutating func add(_ row: BucketRow) -> BucketRow? {
        while index < periods.count, periods[index].upperBound <= row.start { index += 1 }
        guard index < periods.count, periods[index].contains(row.start) else { return nil }
        let p = periods[index]
        var r = row
        r.start = p.lowerBound
        r.width = BucketWidth(millis: p.upperBound - p.lowerBound)
        if current?.start == r.start {
            current!.merge(r)
            return nil
        }
        let done = current
        current = r
        return done
    }

    /// Ends the series. - Returns: The last period's row, if any; the grouper is then empty.
    public mutating func finish() -> BucketRow? {
        let done = current
        current = nil
        index = 0
        return done
    }
}
