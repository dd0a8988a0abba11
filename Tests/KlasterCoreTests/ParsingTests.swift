import Testing
@testable import KlasterCore
import KlasterTestSupport

/// 2026-03-01T12:00:00Z
let parseNow: EpochMillis = 1_772_366_400_000

/// Runs the parser on one payload with a fresh resolver.
struct ParseRun {
    var outcome: ParseOutcome
    var readings: [Reading]
    var newSeries: [SeriesInfo]

    init(_ payload: [UInt8], topic: String = "nextgen/p1/m1/active_power_kw", receivedAt: EpochMillis = parseNow,
         parser: PayloadParser = PayloadParser()) {
        let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
        var out: [Reading] = []
        outcome = parser.parse(payload: payload, topic: topic, receivedAt: receivedAt, resolver: resolver) { out.append($0) }
        readings = out
        newSeries = resolver.takeNewSeries()
    }

    init(_ payload: String, topic: String = "nextgen/p1/m1/active_power_kw", receivedAt: EpochMillis = parseNow,
         parser: PayloadParser = PayloadParser()) {
        self.init(Array(payload.utf8), topic: topic, receivedAt: receivedAt, parser: parser)
    }
}

/// (ts, v, seq, q) of an expected reading.
struct Expected: Sendable, Equatable, CustomStringConvertible {
    var ts: EpochMillis
    var v: Double
    var seq: UInt64? = nil
    var q: Quality = .good
    var description: String { "(\(ts), \(v), \(seq.map(String.init) ?? "-"), \(q.name))" }
}

struct Accepted: Sendable, CustomStringConvertible {
    var payload: String
    var expected: [Expected]
    var description: String { payload.count > 60 ? String(payload.prefix(60)) + "…" : payload }
}

struct Rejected: Sendable, CustomStringConvertible {
    var payload: String
    var reason: RejectReason
    var emitted = 0
    var description: String { payload.count > 60 ? String(payload.prefix(60)) + "…" : payload }
}

@Suite struct PayloadJSONTests {
    static let t = parseNow - 1000

    @Test(arguments: [
        Accepted(payload: #"{"ts":1772366399000,"v":1.5}"#, expected: [Expected(ts: t, v: 1.5)]),
        Accepted(payload: #"{"ts":1772366399000,"v":123.456,"seq":42}"#, expected: [Expected(ts: t, v: 123.456, seq: 42)]),
        Accepted(payload: #"{"v":-7,"ts":1772366399000,"q":"bad"}"#, expected: [Expected(ts: t, v: -7, q: .bad)]),
        Accepted(payload: #"{"ts":1772366399000,"v":0.1,"q":"uncertain","seq":0}"#, expected: [Expected(ts: t, v: 0.1, seq: 0, q: .uncertain)]),
        Accepted(payload: #"{"ts":1772366399000,"v":1,"q":"good"}"#, expected: [Expected(ts: t, v: 1)]),
        Accepted(payload: " \n\t{ \"ts\" : 1772366399000 , \"v\" : 2e3 }\r\n ", expected: [Expected(ts: t, v: 2000)]),
        Accepted(payload: #"{"ts":"2026-03-01T11:59:59Z","v":1}"#, expected: [Expected(ts: t, v: 1)]),
        Accepted(payload: #"{"ts":"2026-03-01T15:59:59.250+04:00","v":1}"#, expected: [Expected(ts: t + 250, v: 1)]),
        Accepted(payload: #"{"ts":1.772366399e12,"v":1}"#, expected: [Expected(ts: t, v: 1)]),
        Accepted(payload: #"{"ts":1772366399000,"v":-0}"#, expected: [Expected(ts: t, v: 0)]),
        Accepted(payload: #"{"ts":1772366399000,"v":1e300}"#, expected: [Expected(ts: t, v: 1e300)]),
        Accepted(payload: #"{"ts":1772366399000,"v":4.9e-324}"#, expected: [Expected(ts: t, v: .leastNonzeroMagnitude)]), // 4.9e-324, the smallest subnormal
        Accepted(payload: #"{"ts":1772366399000,"v":12345678901234567890123}"#, expected: [Expected(ts: t, v: 1.2345678901234568e22)]),
        Accepted(payload: #"{"ts":1772366399000,"v":0.30000000000000004}"#, expected: [Expected(ts: t, v: 0.30000000000000004)]),
        Accepted(payload: #"{"ts":1772366399000,"v":1,"seq":null,"q":null}"#, expected: [Expected(ts: t, v: 1)]),
        Accepted(payload: #"{"ts":1772366399000,"v":1,"seq":18446744073709551}"#, expected: [Expected(ts: t, v: 1, seq: 18_446_744_073_709_551)]),
        Accepted(payload: #"{"\u0074s":1772366399000,"\u0076":3}"#, expected: [Expected(ts: t, v: 3)]),
        Accepted(payload: #"{"ts":1772366399000,"meta":{"a":[1,2.5,{"b":null,"c":[true,false]}],"s":"x\"y\\\u00e9"},"v":2,"unit":"kW"}"#,
                 expected: [Expected(ts: t, v: 2)]),
        Accepted(payload: #"{"ts":1772366399000,"v":1,"":{},"e":[]}"#, expected: [Expected(ts: t, v: 1)]),
        Accepted(payload: #"{"ts":1772366400000,"v":1,"note":"grüß dich ✓"}"#, expected: [Expected(ts: parseNow, v: 1)]),
        Accepted(payload: #"{"ts":1772366700000,"v":1}"#, expected: [Expected(ts: parseNow + 300_000, v: 1)]),
        Accepted(payload: #"[{"ts":1772366399000,"v":1},{"ts":1772366400000,"v":2,"seq":3}]"#,
                 expected: [Expected(ts: t, v: 1), Expected(ts: parseNow, v: 2, seq: 3)]),
        Accepted(payload: " [ {\"ts\":1772366399000,\"v\":1} ] ", expected: [Expected(ts: t, v: 1)]),
        Accepted(payload: "42.5", expected: [Expected(ts: parseNow, v: 42.5)]),
        Accepted(payload: "  -3\n", expected: [Expected(ts: parseNow, v: -3)]),
        Accepted(payload: "1e3", expected: [Expected(ts: parseNow, v: 1000)]),
        Accepted(payload: "0", expected: [Expected(ts: parseNow, v: 0)]),
    ])
    func accepts(_ c: Accepted) {
        let run = ParseRun(c.payload)
        #expect(run.outcome.rejection == nil)
        #expect(run.outcome.readings == c.expected.count)
        #expect(run.readings.map { Expected(ts: $0.ts, v: $0.value, seq: $0.seq, q: $0.quality) } == c.expected)
        #expect(run.readings.allSatisfy { $0.series == 1 })
        #expect(run.newSeries.map(\.key) == ["p1/m1/active_power_kw"])
        #expect(run.readings.allSatisfy { $0.value.sign == .plus || $0.value != 0 })
    }

    @Test(arguments: [
        Rejected(payload: #"{"ts":1772366399000,"v":1"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts" 1772366399000,"v":1}"#, reason: .malformedJSON),
        Rejected(payload: #"{ts:1772366399000,"v":1}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1}x"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1}{"ts":1772366399000,"v":1}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":01772366399000,"v":1}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1.}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":.5}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":+1}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1,}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"v":2}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"ts":1772366399001,"v":2}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"x":"a\qb"}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"x":"\u12"}"#, reason: .malformedJSON),
        Rejected(payload: "{\"ts\":1772366399000,\"v\":1,\"x\":\"a\u{01}b\"}", reason: .malformedJSON),
        Rejected(payload: "{\"ts\":1772366399000,\"v\":1,\"x\":\"a\nb\"}", reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"x":tru}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"x":[1,2}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"x":{"a"}}"#, reason: .malformedJSON),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"x":NaN}"#, reason: .malformedJSON),
        Rejected(payload: #"[{"ts":1772366399000,"v":1},]"#, reason: .malformedJSON, emitted: 1),
        Rejected(payload: #"[{"ts":1772366399000,"v":1}"#, reason: .malformedJSON, emitted: 1),
        Rejected(payload: #"{"v":1}"#, reason: .missingTs),
        Rejected(payload: #"{"ts":null,"v":1}"#, reason: .missingTs),
        Rejected(payload: #"{"ts":1772366399000}"#, reason: .missingValue),
        Rejected(payload: #"{"ts":1772366399000,"v":null}"#, reason: .missingValue),
        Rejected(payload: #"{}"#, reason: .missingTs),
        Rejected(payload: #"{"ts":1772366399000,"v":1e400}"#, reason: .nonFinite),
        Rejected(payload: #"{"ts":1772366399000,"v":-1e400}"#, reason: .nonFinite),
        Rejected(payload: #"{"ts":1772366399000,"v":NaN}"#, reason: .nonFinite),
        Rejected(payload: #"{"ts":1772366399000,"v":Infinity}"#, reason: .nonFinite),
        Rejected(payload: #"{"ts":1772366399000,"v":-Infinity}"#, reason: .nonFinite),
        Rejected(payload: "NaN", reason: .nonFinite),
        Rejected(payload: "-inf", reason: .nonFinite),
        Rejected(payload: "1e999", reason: .nonFinite),
        Rejected(payload: #"{"ts":1772366399000,"v":"1.5"}"#, reason: .wrongType),
        Rejected(payload: #"{"ts":1772366399000,"v":true}"#, reason: .wrongType),
        Rejected(payload: #"{"ts":1772366399000,"v":[1]}"#, reason: .wrongType),
        Rejected(payload: #"{"ts":true,"v":1}"#, reason: .wrongType),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"seq":-1}"#, reason: .wrongType),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"seq":1.5}"#, reason: .wrongType),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"seq":"7"}"#, reason: .wrongType),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"seq":99999999999999999999999}"#, reason: .wrongType),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"q":1}"#, reason: .wrongType),
        Rejected(payload: #"[1]"#, reason: .wrongType),
        Rejected(payload: #"[{"ts":1772366399000,"v":1},"x",[2]]"#, reason: .wrongType, emitted: 1),
        Rejected(payload: #"{"ts":"yesterday","v":1}"#, reason: .badTimestamp),
        Rejected(payload: #"{"ts":"2026-02-30T00:00:00Z","v":1}"#, reason: .badTimestamp),
        Rejected(payload: #"{"ts":-5,"v":1}"#, reason: .badTimestamp),
        Rejected(payload: #"{"ts":1772366399000.5,"v":1}"#, reason: .badTimestamp),
        Rejected(payload: #"{"ts":99999999999999999999999,"v":1}"#, reason: .badTimestamp),
        Rejected(payload: #"{"ts":1e400,"v":1}"#, reason: .badTimestamp),
        Rejected(payload: #"{"ts":1772366700001,"v":1}"#, reason: .futureTs),
        Rejected(payload: #"{"ts":"2030-01-01T00:00:00Z","v":1}"#, reason: .futureTs),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"q":"great"}"#, reason: .badQuality),
        Rejected(payload: #"{"ts":1772366399000,"v":1,"q":"GOOD"}"#, reason: .badQuality),
        Rejected(payload: "", reason: .empty),
        Rejected(payload: "  \n\t ", reason: .empty),
        Rejected(payload: "[]", reason: .empty),
        Rejected(payload: "[ ]", reason: .empty),
    ])
    func rejects(_ c: Rejected) {
        let run = ParseRun(c.payload)
        #expect(run.outcome.rejection?.reason == c.reason, "\(run.outcome.rejection?.description ?? "accepted")")
        #expect(run.outcome.readings == c.emitted)
        #expect(run.readings.count == c.emitted)
        #expect(!(run.outcome.rejection?.detail.isEmpty ?? true))
        #expect(!(run.outcome.rejection?.detail.contains("\n") ?? true))
    }

    @Test func partlyBadArrayEmitsTheValidElements() {
        let run = ParseRun(#"[{"ts":1772366398000,"v":1},{"v":2},{"ts":1772366399000,"v":"x"},{"ts":1772366399000,"v":3}]"#)
        #expect(run.readings.map(\.value) == [1, 3])
        #expect(run.outcome.readings == 2)
        #expect(run.outcome.rejection == ParseRejection(.missingTs, "element 1: no ts"))
    }

    @Test func badTopicRejectsAndCreatesNoSeries() {
        let run = ParseRun(#"{"ts":1772366399000,"v":1}"#, topic: "nextgen/p1/m1")
        #expect(run.outcome.rejection?.reason == .badTopic)
        #expect(run.readings.isEmpty && run.newSeries.isEmpty)
        let bad = ParseRun(#"{"ts":1772366399000}"#, topic: "nextgen/p1/m1/x")
        #expect(bad.outcome.rejection?.reason == .missingValue)
        #expect(bad.newSeries.isEmpty, "a rejected payload creates no series")
    }

    @Test func maxFutureIsConfigurable() {
        let strict = PayloadParser(maxFuture: 0)
        #expect(ParseRun(#"{"ts":1772366400001,"v":1}"#, parser: strict).outcome.rejection?.reason == .futureTs)
        #expect(ParseRun(#"{"ts":1772366400000,"v":1}"#, parser: strict).outcome.isAccepted)
    }

    @Test func seriesResolvedOnceForKnownTopic() {
        let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
        let parser = PayloadParser()
        var ids: [SeriesID] = []
        for k in 0..<3 {
            let o = parser.parse(payload: Array("{\"ts\":\(parseNow - Int64(k)),\"v\":\(k)}".utf8), topic: "nextgen/a/b/active_energy_kwh",
                                 receivedAt: parseNow, resolver: resolver) { ids.append($0.series) }
            #expect(o.isAccepted)
        }
        #expect(ids == [1, 1, 1])
        let info = resolver.takeNewSeries()
        #expect(info.count == 1 && info[0].kind == .counter && info[0].unit == "kWh")
    }

    /// Shortest round-trip decimal forms of random doubles must parse back bit-exactly.
    @Test func numbersRoundTripExactly() {
        var rng = SplitMix64(seed: 42)
        let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
        let parser = PayloadParser()
        for k in 0..<4000 {
            let d: Double
            switch k % 4 {
            case 0: d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (rng.next() & 1 == 0 ? 1 : -1)
            case 1: d = Double(Int64(bitPattern: rng.next()) % 100_000_000) / 1000
            case 2: d = Double(rng.next() % 1_000_000_000) / 10_000_000
            default: d = Double.random(in: -1e6...1e6, using: &rng)
            }
            var got: Double? = nil
            let o = parser.parse(payload: Array("{\"ts\":\(parseNow),\"v\":\(d)}".utf8), topic: "nextgen/p/m/q",
                                 receivedAt: parseNow, resolver: resolver) { got = $0.value }
            #expect(o.isAccepted)
            if got?.bitPattern != (d == 0 ? 0.0 : d).bitPattern { Issue.record("\(d) parsed as \(String(describing: got))") }
        }
    }
}

@Suite struct PayloadLineProtocolTests {
    static let tsNs = "1772366399000000000"
    static let t = parseNow - 1000

    @Test func singleFieldWithTimestamp() {
        let run = ParseRun("power,plant=p1,meter=m1 active_power_kw=12.5 \(Self.tsNs)", topic: "anything/at/all")
        #expect(run.outcome.isAccepted)
        #expect(run.readings == [Reading(series: 1, ts: Self.t, value: 12.5)])
        #expect(run.newSeries == [SeriesInfo(id: 1, key: "p1/m1/active_power_kw", plant: "p1", quantity: "active_power_kw", kind: .gauge, unit: "kW")])
    }

    @Test func severalLinesAndFields() {
        let payload = """
        # a comment line
        energy,site=sumqayit,plant=p1,meter=m1 active_energy_kwh=100i,active_power_kw=5.5,temperature_c=-3e1 \(Self.tsNs)\r

        energy,plant=p2,meter=m9 active_energy_kwh=7u
        """
        let run = ParseRun(payload)
        #expect(run.outcome.rejection == nil)
        #expect(run.readings.map(\.value) == [100, 5.5, -30, 7])
        #expect(run.readings.map(\.ts) == [Self.t, Self.t, Self.t, parseNow])
        #expect(run.newSeries.map(\.key) == ["p1/m1/active_energy_kwh", "p1/m1/active_power_kw", "p1/m1/temperature_c", "p2/m9/active_energy_kwh"])
        #expect(run.newSeries[0].kind == .counter)
    }

    @Test func escapesInNamesAndTags() {
        let run = ParseRun(#"my\ meas\,x,plant=big\ plant,meter=m\=1,note=a\,b flow\ rate=1.5,label="say \"hi\", ok" \#(Self.tsNs)"#)
        #expect(run.outcome.rejection?.reason == .wrongType, "the string field is rejected, the float kept")
        #expect(run.readings.map(\.value) == [1.5])
        #expect(run.newSeries.map(\.key) == ["big plant/m=1/flow rate"])
    }

    @Test func nanosecondsFloorToMilliseconds() {
        let run = ParseRun("m,plant=p,meter=m f=1 1772366399000999999")
        #expect(run.readings.map(\.ts) == [Self.t])
    }

    @Test(arguments: [
        Rejected(payload: "hello", reason: .malformedLineProtocol),
        Rejected(payload: "hello world", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p,meter=m", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p,meter=m f", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p,meter=m f=", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p,meter=m f=abc", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p,meter=m f=1 12:00", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=,meter=m f=1", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p,meter=m f=\"open", reason: .malformedLineProtocol),
        Rejected(payload: "m,meter=m f=1", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p f=1", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=a/b,meter=m f=1", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p,meter=m f=1x", reason: .malformedLineProtocol),
        Rejected(payload: "m,plant=p,meter=m f=\"s\"", reason: .wrongType),
        Rejected(payload: "m,plant=p,meter=m f=true", reason: .wrongType),
        Rejected(payload: "m,plant=p,meter=m f=-1u", reason: .wrongType),
        Rejected(payload: "m,plant=p,meter=m f=99999999999999999999i", reason: .wrongType),
        Rejected(payload: "m,plant=p,meter=m f=1e999", reason: .nonFinite),
        Rejected(payload: "m,plant=p,meter=m f=NaN", reason: .nonFinite),
        Rejected(payload: "m,plant=p,meter=m f=1 99999999999999999999999", reason: .badTimestamp),
        Rejected(payload: "m,plant=p,meter=m f=1 -1000000", reason: .badTimestamp),
        Rejected(payload: "m,plant=p,meter=m f=1 1772366800000000000", reason: .futureTs),
        Rejected(payload: "m,plant=p,meter=m f=1,g=x\nm,plant=p,meter=m h=2", reason: .malformedLineProtocol, emitted: 2),
        Rejected(payload: "# only a comment", reason: .empty),
    ])
    func rejects(_ c: Rejected) {
        let run = ParseRun(c.payload)
        #expect(run.outcome.rejection?.reason == c.reason, "\(run.outcome.rejection?.description ?? "accepted")")
        #expect(run.outcome.readings == c.emitted)
        #expect(run.readings.count == c.emitted)
        #expect(run.outcome.rejection?.detail.hasPrefix("line ") ?? false || c.reason == .empty)
    }
}
