import Foundation
import KlasterTestSupport
import Testing

/// `klaster deadletter --limit N`: the oldest N.
@Suite struct DeadletterCommandTests {
    @Test func limitKeepsTheOldest() throws {
        let f = try ImportedFixture()
        let all = try f.run(["deadletter"], ["--format", "csv"])
        let two = try f.run(["deadletter"], ["--format", "csv", "--limit", "2"])
        #expect(all.status == 0)
        #expect(two.status == 0)
        let allLines = all.stdout.split(separator: "\n")
        #expect(allLines.count == 4)   // header + the fixtures' 3 dead letters
        #expect(two.stdout.split(separator: "\n") == Array(allLines.prefix(3)))
    }

    @Test func limitMustBePositive() throws {
        let f = try ImportedFixture()
        let r = try f.run(["deadletter"], ["--limit", "0"])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("klaster: --limit must be positive"), "\(r.stderr)")
    }
}
