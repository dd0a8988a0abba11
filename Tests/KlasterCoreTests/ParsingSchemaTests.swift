import Foundation
import Testing
@testable import KlasterCore

/// `schemas/reading.schema.json` and the parser must agree.
@Suite struct ParsingSchemaTests {
    static let schemaURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas/reading.schema.json")

    func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: Self.schemaURL)
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func examplesAreAccepted() throws {
        let examples = try #require(try schema()["examples"] as? [Any])
        #expect(examples.count >= 3)
        for example in examples {
            let bytes = try JSONSerialization.data(withJSONObject: example)
            let run = ParseRun([UInt8](bytes), receivedAt: 1_772_366_401_000)
            #expect(run.outcome.isAccepted, "\(String(decoding: bytes, as: UTF8.self)): \(run.outcome.rejection?.description ?? "")")
        }
    }

    @Test func qualityEnumMatchesQuality() throws {
        let defs = try #require(try schema()["$defs"] as? [String: Any])
        let reading = try #require(defs["reading"] as? [String: Any])
        let props = try #require(reading["properties"] as? [String: Any])
        let q = try #require(props["q"] as? [String: Any])
        #expect((q["enum"] as? [String]) == Quality.allCases.map(\.name))
        #expect((reading["required"] as? [String]) == ["ts", "v"])
        let ts = try #require(props["ts"] as? [String: Any])
        let forms = try #require(ts["oneOf"] as? [[String: Any]])
        #expect((forms[0]["maximum"] as? NSNumber)?.int64Value == RFC3339.maxMillis)
    }
}
