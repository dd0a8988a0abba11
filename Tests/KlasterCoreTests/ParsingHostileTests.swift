import Testing
@testable import KlasterCore
import KlasterTestSupport

/// Hostile payloads: each must be rejected (or accepted) in bounded time and
/// memory, never crash, and say why.
@Suite struct ParsingHostileTests {
    @Test func deepArrayNesting() {
        let run = ParseRun([UInt8](repeating: UInt8(ascii: "["), count: 100_000))
        #expect(run.outcome.rejection?.reason == .tooDeep)
        #expect(run.readings.isEmpty)
    }

    @Test func deepObjectNestingInsideUnknownKey() {
        let open = String(repeating: #"{"a":"#, count: 100_000)
        let run = ParseRun(#"{"ts":1772366399000,"v":1,"x":"# + open + "1" + String(repeating: "}", count: 100_001), parser: PayloadParser(maxPayloadBytes: 4 << 20))
        #expect(run.outcome.rejection?.reason == .tooDeep)
    }

    @Test func nestingUpToMaxDepthIsAccepted() {
        let p = PayloadParser(maxDepth: 8)
        // top object = 1, x's value opens 7 more levels = depth 8
        let ok = #"{"ts":1772366399000,"v":1,"x":"# + String(repeating: "[", count: 7) + String(repeating: "]", count: 7) + "}"
        #expect(ParseRun(ok, parser: p).outcome.isAccepted)
        let deep = #"{"ts":1772366399000,"v":1,"x":"# + String(repeating: "[", count: 8) + String(repeating: "]", count: 8) + "}"
        #expect(ParseRun(deep, parser: p).outcome.rejection?.reason == .tooDeep)
    }

    @Test func megabyteStringInUnknownKeyIsSkipped() {
        let big = String(repeating: "x", count: 1 << 20)
        let run = ParseRun(#"{"ts":1772366399000,"note":""# + big + #"","v":1}"#, parser: PayloadParser(maxPayloadBytes: 2 << 20))
        #expect(run.outcome.isAccepted)
        #expect(run.readings.count == 1)
    }

    @Test func unterminatedMegabyteString() {
        let big = String(repeating: "y", count: 1 << 20)
        let run = ParseRun(#"{"ts":1772366399000,"v":1,"note":""# + big, parser: PayloadParser(maxPayloadBytes: 2 << 20))
        #expect(run.outcome.rejection?.reason == .malformedJSON)
        #expect(run.outcome.rejection?.detail.hasPrefix("truncated") == true)
    }

    @Test func tenMegabytesIsTooLargeBeforeScanning() {
        var payload = [UInt8](repeating: UInt8(ascii: "["), count: 10 << 20)
        payload[5] = 0xFF // would be invalid UTF-8 and too deep: size wins
        let run = ParseRun(payload)
        #expect(run.outcome.rejection?.reason == .tooLarge)
    }

    @Test(arguments: [
        [UInt8(ascii: "{"), 0xFF, UInt8(ascii: "}")],
        Array(#"{"ts":1772366399000,"v":1,"n":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8),   // overlong '/'
        Array(#"{"ts":1772366399000,"v":1,"n":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), // surrogate
        Array(#"{"ts":1772366399000,"v":1,"n":""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), // > U+10FFFF
        Array(#"{"ts":1772366399000,"v":1,"n":""#.utf8) + [0xE2, 0x82] + Array(#""}"#.utf8), // truncated sequence
        Array("m,plant=p,meter=m f=1 ".utf8) + [0x80],
        [0xFE, 0xFF],
    ])
    func invalidUTF8(_ payload: [UInt8]) {
        let run = ParseRun(payload)
        #expect(run.outcome.rejection?.reason == .invalidUTF8)
        #expect(run.readings.isEmpty)
    }

    @Test func everyTruncationIsRejected() {
        let doc = #"[{"ts":"2026-03-01T11:59:59.5+00:00","v":-12.5e-1,"seq":7,"q":"uncertain","x":{"a":[1,true,null,"\u00e9\""]}}]"#
        let bytes = Array(doc.utf8)
        #expect(ParseRun(bytes).outcome.isAccepted)
        for n in 0 ..< bytes.count {
            let run = ParseRun(Array(bytes[..<n]))
            #expect(run.outcome.rejection != nil, "prefix of \(n) bytes accepted")
            // Only the prefix missing just the closing ']' holds a complete element,
            // which is emitted (documented: valid elements are emitted, the message dead-lettered).
            #expect(run.readings.count == (n == bytes.count - 1 ? 1 : 0), "prefix of \(n) bytes")
        }
    }

    @Test func numberEdgeCases() {
        let cases: [(String, RejectReason?)] = [
            ("-0", nil), ("1e400", .nonFinite), ("-1e400", .nonFinite), ("1e-400", nil),
            (String(repeating: "9", count: 400), .nonFinite), (String(repeating: "9", count: 300), nil),
            ("0." + String(repeating: "0", count: 500) + "1", nil), ("1e99999999999999999999", .nonFinite),
            ("123456789012345678901234567890", nil), ("Infinity", .nonFinite), ("NaN", .nonFinite), ("nan", .malformedJSON), // JSON literals are case-sensitive
        ]
        for (text, reason) in cases {
            let run = ParseRun(#"{"ts":1772366399000,"v":"# + text + "}")
            #expect(run.outcome.rejection?.reason == reason, "\(text.prefix(30))")
            if reason == nil {
                #expect(run.readings.first?.value == (Double(text).map { $0 == 0 ? 0 : $0 } ?? .nan), "\(text.prefix(30))")
            }
        }
    }

    @Test func controlCharactersAndNulBytes() {
        #expect(ParseRun(Array(#"{"ts":1772366399000,"v":1,"n":"a"#.utf8) + [0] + Array(#""}"#.utf8)).outcome.rejection?.reason == .malformedJSON)
        #expect(ParseRun(Array(#"{"ts":1772366399000,"v":1}"#.utf8) + [0]).outcome.rejection?.reason == .malformedJSON)
        #expect(ParseRun([0]).outcome.rejection?.reason == .malformedLineProtocol)
    }

    @Test func hugeArrayOfValidReadings() {
        let one = #"{"ts":1772366399000,"v":1.25,"seq":1}"#
        let payload = "[" + Array(repeating: one, count: 5000).joined(separator: ",") + "]"
        let run = ParseRun(payload)
        #expect(run.outcome.isAccepted)
        #expect(run.readings.count == 5000)
    }

    /// Random and mutated payloads: the parser never crashes, every outcome is
    /// either readings or a reason, and every emitted reading is valid.
    @Test func fuzzMutatedPayloads() {
        let corpus = [
            #"{"ts":1772366399000,"v":123.456,"seq":42}"#,
            #"[{"ts":"2026-03-01T11:59:59Z","v":1,"q":"bad"},{"ts":1772366399001,"v":-2e-3,"x":{"y":[1,{"z":null}]}}]"#,
            #"{"\u0074s":1772366399000,"v":0.5,"note":"a\"b\\c\u00e9"}"#,
            "power,plant=p1,meter=m1 active_power_kw=12.5,e=3i 1772366399000000000\nx,plant=a\\ b,meter=m f=1",
            "42.5", "[]", "",
        ].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0xC0FFEE)
        let parser = PayloadParser(maxFuture: 300_000, maxPayloadBytes: 4096, maxDepth: 8)
        let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
        let alphabet = Array(#"{}[]",:0123456789.eE+-tsvqnulfaIN\ =/#"#.utf8) + [0, 0x80, 0xC3, 0xA9, 0xFF, 10, 13, 9, 32]
        var accepted = 0, rejected = 0
        for round in 0 ..< 4000 {
            var p = corpus[Int(rng.next() % UInt64(corpus.count))]
            if round % 10 == 0 {
                p = (0 ..< Int(rng.next() % 64)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            } else {
                for _ in 0 ..< 1 + Int(rng.next() % 4) {
                    let at = p.isEmpty ? 0 : Int(rng.next() % UInt64(p.count))
                    switch rng.next() % 5 {
                    case 0 where !p.isEmpty: p[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    case 1: p.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                    case 2 where !p.isEmpty: p.remove(at: at)
                    case 3: p = Array(p[..<at])
                    default: p.insert(contentsOf: p[at...].prefix(8), at: at)
                    }
                }
            }
            var emitted: [Reading] = []
            let o = parser.parse(payload: p, topic: "nextgen/p/m/q", receivedAt: parseNow, resolver: resolver) { emitted.append($0) }
            #expect(o.readings == emitted.count)
            if o.rejection == nil {
                accepted += 1
                #expect(!emitted.isEmpty, "accepted with no readings: \(String(decoding: p, as: UTF8.self))")
            } else {
                rejected += 1
                #expect(!o.rejection!.detail.isEmpty)
            }
            for r in emitted {
                #expect(r.value.isFinite)
                #expect(r.ts >= 0 && r.ts <= parseNow + 300_000)
            }
        }
        #expect(accepted > 0 && rejected > 0)
    }
}
