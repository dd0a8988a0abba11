import Foundation
import KlasterTestSupport
import Testing

/// `--from/--to/--since` accept relative forms like `-24h`, `-7d`.
/// A leading dash must be read as the option's value, not as another option.
@Suite struct RelativeTimeOptionTests {
    @Test(arguments: [
        (["query"], ["**", "--from", "-3650d", "--to", "+1d", "--every", "1h", "--format", "json"]),
        (["deadletter"], ["--since", "-3650d", "--format", "json"]),
        (["emissions"], ["--from", "-3650d", "--to", "now", "--format", "json"]),
        (["db", "rebuild"], ["--from", "-3650d", "--to", "now"]),
    ])
    func leadingDashIsAValue(command: [String], args: [String]) throws {
        let f = try ImportedFixture()
        let r = try f.run(command, args)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        if args.contains("--format") {
            // The fixture (January 2026) lies inside the last ten years: rows come back.
            #expect(!r.stdout.isEmpty)
        }
    }
}
