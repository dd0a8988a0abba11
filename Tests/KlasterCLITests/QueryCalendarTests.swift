import Foundation
import KlasterTestSupport
import Testing

/// `query --every 1d|1mo|1q|1y [--tz ZONE]` on the hourly fixture of
/// `CbamFixture` (urea production +2 t in every hour of Q1 2026 Baku, read at :30).
@Suite struct QueryCalendarTests {
    static let scenario = Result { try EmissionsScenario(toml: CbamFixture.toml, csv: CbamFixture.csv) }
    static let urea = "socar-karbamid/urea-line/production_t"

    func rows(_ args: [String]) throws -> [[String: Any]] {
        let r = try Self.scenario.get().run(["query", Self.urea, "--format", "json"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        return try emissionRows(r.stdout)
    }

    @Test func bakuDaysStartAtLocalMidnight() throws {
        let r = try rows(["--from", "2026-01-01T00:00:00Z", "--to", "2026-01-02T20:00:00Z", "--every", "1d", "--tz", "Asia/Baku"])
        #expect(r.map { $0["start"] as? String } == ["2025-12-31T20:00:00Z", "2026-01-01T20:00:00Z"])
        #expect(r.map { $0["width"] as? String } == ["1d", "1d"])
        #expect(r.map { jsonNumber($0["count"]) } == [24, 24])
        #expect(r.map { jsonNumber($0["delta"]) } == [48, 48])
        // Without --tz: UTC days; the first holds the readings of 00:30Z–23:30Z.
        let utc = try rows(["--from", "2026-01-02T00:00:00Z", "--to", "2026-01-03T00:00:00Z", "--every", "1d"])
        #expect(utc.map { $0["start"] as? String } == ["2026-01-02T00:00:00Z"])
        #expect(utc.map { jsonNumber($0["count"]) } == [24])
    }

    @Test func berlinDaysAroundTheClockChangeHave23Hours() throws {
        let r = try rows(["--from", "2026-03-29T12:00:00Z", "--to", "2026-03-29T13:00:00Z", "--every", "1d", "--tz", "Europe/Berlin"])
        #expect(r.map { $0["start"] as? String } == ["2026-03-28T23:00:00Z"])
        #expect(r.map { jsonNumber($0["count"]) } == [23])
        #expect(r.map { jsonNumber($0["delta"]) } == [46])
    }

    @Test func monthBoundaryAndQuarterInBaku() throws {
        let m = try rows(["--from", "2026-01-15T00:00:00Z", "--to", "2026-02-15T00:00:00Z", "--every", "1mo", "--tz", "Asia/Baku"])
        #expect(m.map { $0["start"] as? String } == ["2025-12-31T20:00:00Z", "2026-01-31T20:00:00Z"])
        #expect(m.map { $0["width"] as? String } == ["1mo", "1mo"])
        #expect(m.map { jsonNumber($0["count"]) } == [31 * 24, 28 * 24])
        #expect(m.map { jsonNumber($0["delta"]) } == [31 * 48, 28 * 48])
        let q = try rows(["--from", "2026-02-01T00:00:00Z", "--to", "2026-02-02T00:00:00Z", "--every", "1q", "--tz", "Asia/Baku"])
        #expect(q.map { jsonNumber($0["count"]) } == [Double(CbamFixture.hours)])
        #expect(q.map { jsonNumber($0["delta"]) } == [Double(CbamFixture.hours * 2)])
    }

    @Test func kathmanduDaysComeFromQuarterHourBuckets() throws {
        // +05:45: 10 January begins at 18:15Z on the 9th; the readings of 18:30Z … 17:30Z the next day are in it.
        let r = try rows(["--from", "2026-01-09T20:00:00Z", "--to", "2026-01-10T00:00:00Z", "--every", "1d", "--tz", "Asia/Kathmandu"])
        #expect(r.map { $0["start"] as? String } == ["2026-01-09T18:15:00Z"])
        #expect(r.map { jsonNumber($0["count"]) } == [24])
    }

    @Test func tzNeedsACalendarPeriodAndAKnownZone() throws {
        let s = try Self.scenario.get()
        let fixed = try s.run(["query", Self.urea, "--every", "1h", "--tz", "Asia/Baku"])
        #expect(fixed.status == 64)
        #expect(fixed.stderr == "klaster: --tz applies to calendar periods, not --every 1h (use --every 1d, 1mo, 1q or 1y with --tz)\n")
        let zone = try s.run(["query", Self.urea, "--every", "1d", "--tz", "Mars/Olympus"])
        #expect(zone.status == 64)
        #expect(zone.stderr.hasPrefix("klaster: unknown time zone 'Mars/Olympus' for --tz"))
    }
}
