import Testing
@testable import KlasterCore

/// `SeriesKeyRules`: the one check of series keys, and every door that applies it.
@Suite struct SeriesKeyRulesTests {
    @Test(arguments: ["socar-karbamid", "gas_volume_nm3", "Sumqayıt", "line 2", "a.b:c~d", "m1", String(repeating: "x", count: 128)])
    func acceptedLevel(_ level: String) {
        #expect(SeriesKeyRules.check(key: level) == nil)
    }

    struct Refused: Sendable, CustomStringConvertible {
        let bytes: [UInt8]
        let reason: RejectReason
        let detail: String
        init(_ text: String, _ reason: RejectReason, _ detail: String) { self.init(Array(text.utf8), reason, detail) }
        init(_ bytes: [UInt8], _ reason: RejectReason, _ detail: String) {
            self.bytes = bytes
            self.reason = reason
            self.detail = detail
        }
        var description: String { detail }
    }

    @Test(arguments: [
        Refused("z/m\u{0}x/temperature_c", .badTopic, "series key level 2 holds control or format character U+0000"),
        Refused("z/m\u{1B}[2J/q", .badTopic, "series key level 2 holds control or format character U+001B"),
        Refused("z/m\u{7}/q", .badTopic, "series key level 2 holds control or format character U+0007"),
        Refused("z/m\u{7F}/q", .badTopic, "series key level 2 holds control or format character U+007F"),
        Refused("z/m\u{85}/q", .badTopic, "series key level 2 holds control or format character U+0085"),
        Refused("z/evil\u{202E}txt/q", .badTopic, "series key level 2 holds control or format character U+202E"),
        Refused("\u{FEFF}z/m/q", .badTopic, "series key level 1 holds control or format character U+FEFF"),
        Refused("z/a+b/q", .badTopic, "series key level 2 holds '+'"),
        Refused("z/a#b/q", .badTopic, "series key level 2 holds '#'"),
        Refused("z/m/=HYPERLINK(\"x\")", .badTopic, "series key level 3 begins with '='"),
        Refused("@SUM(A1)/m/q", .badTopic, "series key level 1 begins with '@'"),
        Refused("z/-2+3/q", .badTopic, "series key level 2 begins with '-'"),
        Refused("z//q", .badTopic, "series key level 2 is empty"),
        Refused("z/" + String(repeating: "x", count: 129) + "/q", .badTopic, "series key level 2 is 129 bytes, limit 128"),
        Refused([UInt8(ascii: "z"), UInt8(ascii: "/"), 0xFF, UInt8(ascii: "/"), UInt8(ascii: "q")], .invalidUTF8,
                "series key level 2 is not valid UTF-8 at byte 0"),
        Refused([UInt8(ascii: "z"), UInt8(ascii: "/"), 0xC0, 0xAF], .invalidUTF8, "series key level 2 is not valid UTF-8 at byte 0"),
    ])
    func refusedKey(_ c: Refused) {
        #expect(c.bytes.withUnsafeBytes { SeriesKeyRules.check(key: $0) } == ParseRejection(c.reason, c.detail))
    }

    @Test func keyLengthIsBounded() {
        let level = String(repeating: "k", count: 128)
        let five = Array(repeating: level, count: 5).joined(separator: "/")   // 644 bytes
        #expect(SeriesKeyRules.check(key: five) == ParseRejection(.badTopic, "series key is 644 bytes, limit 512"))
        let four = Array(repeating: level, count: 4).joined(separator: "/")   // 515 bytes
        #expect(SeriesKeyRules.check(key: four) == ParseRejection(.badTopic, "series key is 515 bytes, limit 512"))
        let three = Array(repeating: level, count: 3).joined(separator: "/")  // 386 bytes
        #expect(SeriesKeyRules.check(key: three) == nil)
    }

    /// The MQTT door: a named level of the topic.
    @Test func mqttTopicLevelsAreChecked() throws {
        let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
        let parser = PayloadParser()
        var readings: [Reading] = []
        let escape = parser.parse(payload: Array(#"{"ts":1764547200000,"v":1}"#.utf8), topic: "nextgen/p/m\u{1B}x/temperature_c",
                                  receivedAt: 1_764_547_200_000, resolver: resolver) { readings.append($0) }
        #expect(escape.rejection == ParseRejection(.badTopic, "series key level 2 holds control or format character U+001B"))
        let topic: [UInt8] = Array("nextgen/p/".utf8) + [0xFF, 0xFE] + Array("/temperature_c".utf8)
        let payload = Array(#"{"ts":1764547200000,"v":1}"#.utf8)
        let invalid = topic.withUnsafeBytes { t in payload.withUnsafeBytes { p in
            parser.parse(payload: p, topic: t, receivedAt: 1_764_547_200_000, resolver: resolver) { readings.append($0) }
        } }
        #expect(invalid.rejection == ParseRejection(.invalidUTF8, "series key level 2 is not valid UTF-8 at byte 0"))
        let ok = parser.parse(payload: payload, topic: "nextgen/p/m/temperature_c", receivedAt: 1_764_547_200_000, resolver: resolver) {
            readings.append($0)
        }
        #expect(ok.rejection == nil && readings.count == 1)
        #expect(resolver.count == 1)
    }

    /// The line-protocol door: tags `plant`, `meter` and the field name.
    @Test func lineProtocolTagsAreChecked() {
        let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
        let out = PayloadParser().parse(payload: Array("m,plant=p,meter=a+b temperature_c=1 1764547200000000000".utf8), topic: "lp",
                                        receivedAt: 1_764_547_200_000, resolver: resolver) { _ in }
        #expect(out.rejection == ParseRejection(.badTopic, "line 1: series key level 2 holds '+'"))
        #expect(resolver.count == 0)
    }
}
