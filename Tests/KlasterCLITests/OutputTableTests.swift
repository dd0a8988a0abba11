import Testing
@testable import KlasterCLI

/// The output layer's three renderings of the same rows.
@Suite struct OutputTableTests {
    private func sample() -> OutputTable {
        var t = OutputTable(columns: [.text("series"), .number("sum", unit: "kWh"), .number("ratio", unit: "t/t", decimals: 4), .text("note")])
        t.append([.text("a/b/c"), .number(4241402.119999999), .number(0.47500000000000003), .text("")])
        t.append([.text("a/b/longer"), .number(.nan), .null, .text("x")])
        return t
    }

    @Test func tableAlignsRoundsAndHasNoTrailingSpaces() {
        #expect(sample().render(.table) == """
            series       sum [kWh]  ratio [t/t]  note
            a/b/c       4241402.12        0.475
            a/b/longer                           x

            """)
    }

    @Test func csvKeepsFullPrecisionAndLeavesNonFiniteEmpty() {
        #expect(sample().render(.csv) == """
            series,sum,ratio,note
            a/b/c,4241402.119999999,0.47500000000000003,
            a/b/longer,,,x

            """)
    }

    @Test func jsonKeepsFullPrecisionAndWritesNonFiniteAsNull() {
        #expect(sample().render(.json) == """
            {"series":"a/b/c","sum":4241402.119999999,"ratio":0.47500000000000003,"note":""}
            {"series":"a/b/longer","sum":null,"ratio":null,"note":"x"}

            """)
    }

    @Test func oneQuoterForEveryJSONString() {
        var out: [UInt8] = []
        JSON.appendString("a\"b\\c\nd\u{1}é", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\nd\u0001é""#)
    }
}
