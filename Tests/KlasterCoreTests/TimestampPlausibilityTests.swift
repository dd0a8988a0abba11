import Testing
@testable import KlasterCore

/// `ts` values that parse but cannot be real readings: before `ingest.min_ts`
/// (a gateway sending epoch seconds, or 0) and `:60` on a day without a leap second.
@Suite struct TimestampPlausibilityTests {
    @Test(arguments: [
        (#"{"ts":1796160000,"v":1}"#, "ts 1970-01-21T18:56:00Z is before ingest.min_ts 2000-01-01T00:00:00Z"),
        (#"{"ts":0,"v":1}"#, "ts 1970-01-01T00:00:00Z is before ingest.min_ts 2000-01-01T00:00:00Z"),
        (#"{"ts":"1999-12-31T23:59:59.999Z","v":1}"#, "ts 1999-12-31T23:59:59.999Z is before ingest.min_ts 2000-01-01T00:00:00Z"),
        (#"[{"ts":1772366399000,"v":1},{"ts":5,"v":2}]"#, "element 1: ts 1970-01-01T00:00:00.005Z is before ingest.min_ts 2000-01-01T00:00:00Z"),
        ("m,plant=p,meter=m active_power_kw=1 1796160000", "line 1: ts 1970-01-01T00:00:01.796Z is before ingest.min_ts 2000-01-01T00:00:00Z"),
    ])
    func beforeTheFloorIsBadTimestamp(_ payload: String, _ detail: String) {
        let run = ParseRun(payload)
        #expect(run.outcome.rejection == ParseRejection(.badTimestamp, detail))
    }

    @Test func theFloorItselfAndAConfiguredFloorApply() {
        #expect(ParseRun(#"{"ts":946684800000,"v":1}"#).readings.map(\.ts) == [946_684_800_000])
        let old = PayloadParser(minTs: 0)
        #expect(ParseRun(#"{"ts":1796160000,"v":1}"#, parser: old).readings.map(\.ts) == [1_796_160_000])
        let recent = PayloadParser(minTs: 1_767_225_600_000) // 2026-01-01
        #expect(ParseRun(#"{"ts":1767225599999,"v":1}"#, parser: recent).outcome.rejection
                == ParseRejection(.badTimestamp, "ts 2025-12-31T23:59:59.999Z is before ingest.min_ts 2026-01-01T00:00:00Z"))
    }

    /// The 27 leap seconds are the only `:60` there ever was.
    @Test(arguments: [
        ("2016-12-31T23:59:60Z", Int64(1_483_228_800_000)),
        ("1972-06-30T23:59:60Z", 78_796_800_000),
        ("2015-06-30T23:59:60.500Z", 1_435_708_800_500),
        ("2017-01-01T03:59:60+04:00", 1_483_228_800_000),   // the same leap second in Baku time
    ])
    func realLeapSecondsParse(_ text: String, _ ms: Int64) {
        #expect(RFC3339.parse(text) == ms)
        #expect(RFC3339.leapSecondDays.count == 27)
    }

    @Test(arguments: ["2026-03-01T23:59:60Z", "2016-12-31T23:58:60Z", "2016-12-31T12:00:60Z", "2016-06-30T23:59:60Z",
                      "2016-12-31T23:59:60+04:00"])
    func otherSecond60IsRejected(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
        #expect(ParseRun(#"{"ts":"\#(text)","v":1}"#).outcome.rejection?.reason == .badTimestamp)
    }
}
