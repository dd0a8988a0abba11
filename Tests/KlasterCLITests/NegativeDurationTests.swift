import KlasterTestSupport
import Testing

/// `--every -1h` said "Missing value" (the parser took -1h for an option).
@Suite struct NegativeDurationTests {
    @Test(arguments: [["query", "**", "--every", "-1h"], ["emissions", "--from", "-7d", "--to", "now", "--every", "-1h"]])
    func negativeEveryIsOneClearLine(_ args: [String]) throws {
        let dir = try TemporaryDirectory(prefix: "readonly")
        let r = try KlasterBinary.run(args + ["--db", dir.file("none.db")])
        #expect(r.status == 64)
        #expect(r.stderr == "klaster: bad duration '-1h': a duration is never negative (give a positive duration or bucket width, e.g. 1h)\n")
    }
}
