import PropertyBased
import Testing
@testable import KlasterCore

/// Any valid reading (from `ingest.min_ts` on) survives every payload form that can carry it.
@Suite struct ParsingPropertyTests {
    @Test func readingRoundTripsThroughEveryForm() async {
        await propertyCheck(
            count: 300,
            input: Gen.int64(in: PayloadParser.defaultMinTs ... parseNow), Gen.double(in: -1e15 ... 1e15), Gen.uint64(in: 0 ... 999_999_999_999),
            Gen.int(in: 0 ... 2)
        ) { ts, v, seq, q in
            let quality = Quality(rawValue: UInt8(q))!
            let expected = Reading(series: 1, ts: ts, value: v == 0 ? 0 : v, seq: seq, quality: quality)
            let forms: [(String, Reading)] = [
                (#"{"ts":\#(ts),"v":\#(v),"seq":\#(seq),"q":"\#(quality.name)"}"#, expected),
                (#"[{"q":"\#(quality.name)","seq":\#(seq),"v":\#(v),"ts":"\#(RFC3339.format(ts))"}]"#, expected),
                ("m,plant=p1,meter=m1 active_power_kw=\(v) \(ts * 1_000_000 + 999_999)",
                 Reading(series: 1, ts: ts, value: expected.value)),
            ]
            for (payload, want) in forms {
                let run = ParseRun(payload)
                #expect(run.outcome.isAccepted, "\(payload): \(run.outcome.rejection?.description ?? "")")
                #expect(run.readings == [want], "\(payload)")
            }
            let bare = ParseRun("\(v)")
            #expect(bare.readings == [Reading(series: 1, ts: parseNow, value: expected.value)])
        }
    }
}
