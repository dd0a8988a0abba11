import Foundation
import KlasterTestSupport
import Testing

/// Every read command in every format against golden files (the binary, as a
/// user runs it): `Golden/<case>.<format>`, on both backends — the same bytes
/// from SQLite and PostgreSQL. `klaster check` has one format,
/// the Nagios lines (`CheckCommandTests`, `Golden/check-worst.txt`).
@Suite struct OutputGoldenTests {
    /// Read commands over the imported fixtures (meters, dead letters).
    @Test(arguments: OutputFormatName.allCases, StoreBackend.allCases)
    func storeCommands(format: OutputFormatName, backend: StoreBackend) throws {
        let f = try ImportedFixture(backend: backend)
        let from = ["--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z"]
        let cases: [(String, [String], [String])] = [
            ("query-1m", ["query"], ["socar-polymer/**"] + from + ["--every", "1m"]),
            ("query-1h", ["query"], ["**"] + from + ["--every", "1h"]),
            ("series", ["series"], []),
            ("stats", ["stats"], []),
            ("deadletter", ["deadletter"], []),
        ]
        for (name, command, args) in cases {
            let r = try f.run(command, args + ["--format", format.rawValue])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            try Golden.check(maskReceivedAt(r.stdout), "\(name).\(format.rawValue)")
        }
    }

    /// emissions and targets over the emissions scenario (factors, targets, a plant factor revised mid-year).
    @Test(arguments: OutputFormatName.allCases, StoreBackend.allCases)
    func emissionCommands(format: OutputFormatName, backend: StoreBackend) throws {
        let s = try EmissionsScenario(backend: backend)
        let now = ["--now", "2026-04-01T00:00:00Z"]
        let cases: [(String, [String])] = [
            ("emissions-plant", ["emissions", "--from", "2025-01-01", "--to", "2026-01-01", "--by", "plant"]),
            // Periods counted from --from (15 May 2025): nine of 30d, then the 21 days from 9 February to --to.
            ("emissions-30d", ["emissions", "--from", "2025-05-15", "--to", "2026-03-02", "--every", "30d", "--by", "scope"]),
            ("targets", ["targets"]),
        ]
        for (name, args) in cases {
            let r = try s.run(args + now + ["--format", format.rawValue])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            try Golden.check(r.stdout, "\(name).\(format.rawValue)")
        }
    }

    @Test func defaultFormatWhenNotATerminalIsCSV() throws {
        let f = try ImportedFixture()
        let r = try f.run(["stats"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("messages,readings,duplicates,late,deadletter,deadletter_by_reason,series,buckets\n"))
    }

    @Test func tableLinesNeverEndInASpace() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: Golden.directory) where name.hasSuffix(".table") {
            let text = try String(contentsOfFile: Golden.path(name), encoding: .utf8)
            #expect(!text.split(separator: "\n").contains { $0.last == " " }, "\(name)")
        }
    }
}

/// `--format` values, as test arguments.
enum OutputFormatName: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case table, csv, json
    var testDescription: String { rawValue }
}
