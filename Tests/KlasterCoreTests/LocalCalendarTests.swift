import Testing
@testable import KlasterCore

@Suite struct LocalCalendarTests {
    func t(_ s: String) -> EpochMillis { RFC3339.parse(s)! }
    func hours(_ r: Range<EpochMillis>) -> Int64 { (r.upperBound - r.lowerBound) / 3_600_000 }

    @Test func bakuDaysStartAtLocalMidnightFourHoursBeforeUTC() throws {
        let baku = try #require(LocalCalendar(identifier: "Asia/Baku"))
        let days = baku.periods(from: t("2026-03-01T00:00:00Z"), to: t("2026-03-02T20:00:00Z"), .day)
        // 00:00Z on 1 March is 04:00 local, inside the Baku day that began at 20:00Z on 28 February.
        #expect(days == [t("2026-02-28T20:00:00Z")..<t("2026-03-01T20:00:00Z"),
                         t("2026-03-01T20:00:00Z")..<t("2026-03-02T20:00:00Z")])
        #expect(baku.offsetSeconds(at: t("2026-07-01T00:00:00Z")) == 14_400)  // no DST since 2016
    }

    @Test func berlinSpringForwardDayHas23HoursAndFallBackDay25() throws {
        let berlin = try #require(LocalCalendar(identifier: "Europe/Berlin"))
        let march = berlin.periods(from: t("2026-03-29T12:00:00Z"), to: t("2026-03-29T13:00:00Z"), .day)
        #expect(march == [t("2026-03-28T23:00:00Z")..<t("2026-03-29T22:00:00Z")])
        #expect(hours(march[0]) == 23)
        let october = berlin.periods(from: t("2026-10-25T12:00:00Z"), to: t("2026-10-25T13:00:00Z"), .day)
        #expect(october == [t("2026-10-24T22:00:00Z")..<t("2026-10-25T23:00:00Z")])
        #expect(hours(october[0]) == 25)
    }

    @Test func monthsQuartersAndYearsFollowTheZone() throws {
        let baku = try #require(LocalCalendar(identifier: "Asia/Baku"))
        let berlin = try #require(LocalCalendar(identifier: "Europe/Berlin"))
        // A month boundary: the Baku March is 31 × 24 h; the Berlin March loses an hour to DST.
        let bakuMonths = baku.periods(from: t("2026-03-10T00:00:00Z"), to: t("2026-04-01T00:00:00Z"), .month)
        #expect(bakuMonths == [t("2026-02-28T20:00:00Z")..<t("2026-03-31T20:00:00Z"),
                               t("2026-03-31T20:00:00Z")..<t("2026-04-30T20:00:00Z")])
        let berlinMarch = berlin.periods(from: t("2026-03-10T00:00:00Z"), to: t("2026-03-11T00:00:00Z"), .month)
        #expect(berlinMarch == [t("2026-02-28T23:00:00Z")..<t("2026-03-31T22:00:00Z")])
        #expect(hours(berlinMarch[0]) == 31 * 24 - 1)
        #expect(baku.interval(year: 2026, quarter: 1) == t("2025-12-31T20:00:00Z")..<t("2026-03-31T20:00:00Z"))
        #expect(baku.interval(year: 2026, quarter: 4) == t("2026-09-30T20:00:00Z")..<t("2026-12-31T20:00:00Z"))
        #expect(baku.periods(from: t("2026-05-01T00:00:00Z"), to: t("2026-05-02T00:00:00Z"), .quarter)
                == [t("2026-03-31T20:00:00Z")..<t("2026-06-30T20:00:00Z")])
        #expect(baku.interval(year: 2026) == t("2025-12-31T20:00:00Z")..<t("2026-12-31T20:00:00Z"))
        #expect(baku.year(of: t("2025-12-31T21:00:00Z")) == 2026)
        #expect(baku.periods(from: t("2026-12-31T21:00:00Z"), to: t("2027-01-01T00:00:00Z"), .year)
                == [t("2026-12-31T20:00:00Z")..<t("2027-12-31T20:00:00Z")])
    }

    @Test func baseWidthIsHourlyForWholeHourZonesAndQuarterHourlyForKathmandu() throws {
        let stored = BucketWidth.defaults
        let baku = try #require(LocalCalendar(identifier: "Asia/Baku"))
        let kathmandu = try #require(LocalCalendar(identifier: "Asia/Kathmandu"))
        let berlin = try #require(LocalCalendar(identifier: "Europe/Berlin"))
        let utc = try #require(LocalCalendar(identifier: "UTC"))
        let range = (t("2026-03-01T00:00:00Z"), t("2026-04-01T00:00:00Z"))
        #expect(LocalCalendar.baseWidth(for: baku.periods(from: range.0, to: range.1, .day), stored: stored) == .hour)
        #expect(LocalCalendar.baseWidth(for: berlin.periods(from: range.0, to: range.1, .day), stored: stored) == .hour)
        // +05:45: 1 March begins at 18:15Z on 28 February.
        let kd = kathmandu.periods(from: range.0, to: range.1, .day)
        #expect(kd.first?.lowerBound == t("2026-02-28T18:15:00Z"))
        #expect(LocalCalendar.baseWidth(for: kd, stored: stored) == .quarterHour)
        #expect(LocalCalendar.baseWidth(for: kd, stored: [.hour, .day]) == nil)
        #expect(LocalCalendar.baseWidth(for: utc.periods(from: range.0, to: range.1, .day), stored: stored) == .day)
    }

    @Test func regroupMergesHourlyRowsIntoLocalDays() throws {
        let baku = try #require(LocalCalendar(identifier: "Asia/Baku"))
        func row(_ start: String, _ v: Double) -> BucketRow {
            let s = t(start)
            return BucketRow(series: 1, width: .hour, start: s, count: 1, sum: v, min: v, max: v, firstTs: s, first: v,
                             lastTs: s, last: v, delta: v)
        }
        let rows = [row("2026-02-28T19:00:00Z", 1), row("2026-02-28T20:00:00Z", 2), row("2026-02-28T23:00:00Z", 4),
                    row("2026-03-01T19:00:00Z", 8), row("2026-03-01T20:00:00Z", 16)]
        let days = baku.periods(from: t("2026-02-28T20:00:00Z"), to: t("2026-03-02T20:00:00Z"), .day)
        let merged = LocalCalendar.regroup(rows, into: days)
        // 19:00Z on 28 Feb is 23:00 local on the 28th: outside both days.
        #expect(merged.map(\.start) == [t("2026-02-28T20:00:00Z"), t("2026-03-01T20:00:00Z")])
        #expect(merged.map(\.delta) == [14, 16])
        #expect(merged.map(\.count) == [3, 1])
        #expect(merged.map(\.width.millis) == [86_400_000, 86_400_000])
        #expect(merged[0].first == 2 && merged[0].last == 8)
    }

    @Test func unknownZoneIsAUsageError() {
        #expect(LocalCalendar(identifier: "Mars/Olympus") == nil)
        do { _ = try LocalCalendar.named("Mars/Olympus", option: "--tz"); Issue.record("accepted") } catch {
            #expect(error.code == .usage)
            #expect(error.message == "unknown time zone 'Mars/Olympus' for --tz")
        }
    }
}
