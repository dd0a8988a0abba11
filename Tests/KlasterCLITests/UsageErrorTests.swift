import Foundation
import KlasterTestSupport
import Testing

/// Usage errors, as documented: one stderr line `klaster: <what> (<hint>)`, exit 64.
@Suite struct UsageErrorTests {
    @Test(arguments: [
        (["query"], "Missing expected argument", "klaster query --help"),
        (["nosuch", "--db"], "Unknown option", "klaster --help"),
        (["query", "a/b/c", "--from", "yesterday"], "bad time 'yesterday'", "-24h"),
        (["stats", "--format", "xml"], "xml", "klaster stats --help"),
    ])
    func oneLineAndExit64(args: [String], what: String, hint: String) throws {
        let result = try KlasterBinary.run(args)
        #expect(result.status == 64)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("klaster: "))
        #expect(line.contains(what))
        #expect(line.contains(hint))
        #expect(result.stdout.isEmpty)
    }

    @Test func helpStillPrintsUsageAndExitsZero() throws {
        let result = try KlasterBinary.run(["query", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: klaster query"))
    }
}
