import Testing
@testable import KlasterCore

/// `PayloadParser.parse(importLine:)`: a `klaster import` JSON line is scanned
/// once, its `"series"` string read along with the reading fields.
@Suite struct ImportLineParsingTests {
    /// The series key pattern import uses (the topic pattern's named levels).
    private static func run(_ line: String) throws -> (outcome: ParseOutcome, series: String?, readings: [Reading], keys: [String]) {
        let pattern = try TopicPattern("{plant}/{meter}/{quantity}")
        let resolver = SeriesResolver(pattern: pattern, quantities: QuantityTable(), known: [])
        var readings: [Reading] = []
        var bytes = Array(line.utf8)
        let (outcome, series) = bytes.withUnsafeMutableBytes { b in
            PayloadParser().parse(importLine: UnsafeRawBufferPointer(b), receivedAt: parseNow, resolver: resolver) { readings.append($0) }
        }
        return (outcome, series, readings, resolver.takeNewSeries().map(\.key))
    }

    @Test func seriesAnywhereInTheObject() throws {
        for line in [#"{"series":"p1/m1/active_power_kw","ts":1772366399000,"v":1.5}"#,
                     #"{"ts":1772366399000,"v":1.5,"series":"p1/m1/active_power_kw"}"#,
                     #"{"ts":1772366399000,"ser\u0069es":"p1\/m1\/active_power_kw","v":1.5}"#] {
            let r = try Self.run(line)
            #expect(r.outcome.rejection == nil, "\(line)")
            #expect(r.series == "p1/m1/active_power_kw")
            #expect(r.readings.map(\.ts) == [parseNow - 1000])
            #expect(r.readings.map(\.value) == [1.5])
            #expect(r.keys == ["p1/m1/active_power_kw"])
        }
    }

    @Test(arguments: [
        (#"{"ts":1772366399000,"v":1}"#, RejectReason.badTopic, nil),
        (#"{"series":7,"ts":1772366399000,"v":1}"#, .badTopic, nil),
        (#"{"series":"p1/m1/x","v":1}"#, .missingTs, "p1/m1/x"),
        (#"{"series":"p1/m1","ts":1772366399000,"v":1}"#, .badTopic, "p1/m1"),
        (#"{"series":"p1/m1/x","ts":1772366399000,"v":1"#, .malformedJSON, "p1/m1/x"),
        (#"[{"series":"p1/m1/x","ts":1772366399000,"v":1}]"#, .malformedJSON, nil),
        ("42", .malformedJSON, nil),
    ] as [(String, RejectReason, String?)])
    func rejected(line: String, reason: RejectReason, series: String?) throws {
        let r = try Self.run(line)
        #expect(r.outcome.rejection?.reason == reason)
        #expect(r.series == series)
        #expect(r.readings.isEmpty)
        #expect(r.keys.isEmpty)
    }

    /// Live payloads know no `series` key: it is skipped like any unknown key.
    @Test func liveParsingIgnoresSeries() {
        let run = ParseRun(#"{"series":"elsewhere/x/y","ts":1772366399000,"v":2,"series":5}"#)
        #expect(run.outcome.rejection == nil)
        #expect(run.readings.map(\.value) == [2])
        #expect(run.newSeries.map(\.key) == ["p1/m1/active_power_kw"])
    }
}
