import Testing
@testable import KlasterCore
import KlasterTestSupport

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("500ms", Int64(500)), ("30s", 30_000), ("5m", 300_000), ("1h", 3_600_000),
        ("1d", 86_400_000), ("90m", 5_400_000), ("1h30m", 5_400_000), ("1d12h", 129_600_000),
        ("0s", 0), ("2w", 1_209_600_000), ("1m500ms", 60_500),
    ])
    func accepts(_ text: String, _ ms: Int64) throws {
        #expect(try DurationParser.parse(text) == ms)
    }

    @Test(arguments: ["", "5", "m", "-5m", "5x", "5 m", "1.5h", "h1", "99999999999999999999d", "9999999999999999d"])
    func rejects(_ text: String) {
        #expect(throws: KlasterError.self) { try DurationParser.parse(text) }
        do { _ = try DurationParser.parse(text) } catch {
            #expect(error.code == .usage)
            #expect(error.description.contains("bad duration '\(text)'"))
        }
    }

    @Test(arguments: [Int64(0), 500, 30_000, 5_400_000, 86_400_000, 90_061_001])
    func formatRoundTrips(_ ms: Int64) throws {
        #expect(try DurationParser.parse(DurationParser.format(ms)) == ms)
    }
}

@Suite struct CivilDateTests {
    @Test func epochAndKnownDays() {
        #expect(CivilDate.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilDate.daysFromCivil(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilDate.daysFromCivil(year: 2026, month: 3, day: 1) == 20_513)
    }

    @Test func roundTripOverFourCenturies() {
        var expected = CivilDate.daysFromCivil(year: 1800, month: 1, day: 1)
        for y in Int64(1800)...2200 {
            for m in Int64(1)...12 {
                for d in 1...CivilDate.daysInMonth(year: y, month: m) {
                    let days = CivilDate.daysFromCivil(year: y, month: m, day: d)
                    #expect(days == expected)
                    expected += 1
                    let c = CivilDate.civilFromDays(days)
                    if c.year != y || c.month != m || c.day != d { Issue.record("\(y)-\(m)-\(d) -> \(c)") }
                }
            }
        }
    }
}

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2026-03-01T12:00:00Z", Int64(1_772_366_400_000)),
        ("2026-03-01T16:00:00+04:00", 1_772_366_400_000),
        ("2026-03-01T07:30:00-04:30", 1_772_366_400_000),
        ("2026-03-01T12:00:00.250Z", 1_772_366_400_250),
        ("2026-03-01T12:00:00.5Z", 1_772_366_400_500),
        ("2026-03-01T12:00:00.123456789Z", 1_772_366_400_123),
        ("2026-03-01t12:00:00z", 1_772_366_400_000),
        ("2026-03-01 12:00:00Z", 1_772_366_400_000),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("2016-12-31T23:59:60Z", 1_483_228_800_000),
    ])
    func parses(_ text: String, _ ms: Int64) {
        #expect(RFC3339.parse(text) == ms)
    }

    @Test(arguments: [
        "", "2026-03-01", "2026-03-01T12:00:00", "2026-13-01T12:00:00Z", "2026-02-29T12:00:00Z",
        "2026-03-01T24:00:00Z", "2026-03-01T12:60:00Z", "2026-03-01T12:00:61Z", "2026-03-01T12:00:00.Z",
        "2026-03-01T12:00:00+0400", "2026-03-01T12:00:00+04:00x", "2026-03-01T12:00:00ZZ", "26-03-01T12:00:00Z",
        "2026-03-01X12:00:00Z", "2026-03-00T12:00:00Z", "２026-03-01T12:00:00Z",
    ])
    func rejects(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test(arguments: [
        (Int64(1_772_366_400_000), "2026-03-01T12:00:00Z"),
        (1_772_366_400_250, "2026-03-01T12:00:00.250Z"),
        (0, "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (951_782_400_000, "2000-02-29T00:00:00Z"),
    ])
    func formats(_ ms: Int64, _ text: String) {
        #expect(RFC3339.format(ms) == text)
    }

    @Test func formatParseRoundTrip() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<5000 {
            let ms = Int64(bitPattern: rng.next() % UInt64(RFC3339.maxMillis)) - 30_000_000_000_000
            #expect(RFC3339.parse(RFC3339.format(ms)) == ms)
        }
    }
}

@Suite struct TimeSpecTests {
    static let now: EpochMillis = 1_772_366_400_000

    @Test(arguments: [
        ("now", now), ("NOW", now), (" now ", now),
        ("-24h", now - 86_400_000), ("-7d", now - 604_800_000), ("+1h", now + 3_600_000),
        ("-1h30m", now - 5_400_000), ("now-5m", now - 300_000), ("now+500ms", now + 500),
        ("1772366400000", 1_772_366_400_000), ("0", 0),
        ("2026-03-01T12:00:00Z", 1_772_366_400_000), ("2026-03-01T16:00:00+04:00", 1_772_366_400_000),
        ("2026-03-01T12:00:00.001Z", 1_772_366_400_001), ("2026-03-01", 1_772_323_200_000),
    ])
    func parses(_ text: String, _ ms: EpochMillis) throws {
        #expect(try TimeSpec.parse(text, now: Self.now) == ms)
    }

    @Test(arguments: ["", "yesterday", "-", "-24", "now-", "nowx", "24h", "12345678901234567890", "2026-03-01T12:00:00", "1.5"])
    func rejects(_ text: String) {
        do {
            _ = try TimeSpec.parse(text, now: Self.now)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .usage)
            #expect(error.message == "bad time '\(text)'")
            #expect(error.hint == "use RFC 3339, epoch ms, now, or -24h/-7d")
        }
    }
}
