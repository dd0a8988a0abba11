import Foundation
import KlasterTestSupport
import Testing

/// Every read command in every format against golden files (the binary, as a user runs it).
@Test(arguments: ["table", "csv", "json"])
func outputGoldenForEveryCommand(format: String) throws {
    let f = try ImportedFixture()
    let from = ["--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z"]
    let cases: [(String, [String], [String])] = [
        ("query-1m", ["query"], ["socar-polymer/**"] + from + ["--every", "1m"]),
        ("query-1h", ["query"], ["**"] + from + ["--every", "1h"]),
        ("series", ["series"], []),
        ("stats", ["stats"], []),
        ("deadletter", ["deadletter"], []),
    ]
    for (name, command, args) in cases {
        let r = try f.run(command, args + ["--format", format])
        #expect(r.status == 0, "\(name): \(r.stderr)")
        try Golden.check(maskReceivedAt(r.stdout), "\(name).\(format)")
    }
}

@Test func outputDefaultFormatWhenNotATerminalIsCSV() throws {
    let f = try ImportedFixture()
    let r = try f.run(["stats"])
    #expect(r.status == 0)
    #expect(r.stdout.hasPrefix("messages,readings,duplicates,late,deadletter,deadletter_by_reason,series,buckets\n"))
}
