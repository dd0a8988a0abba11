import Foundation
import KlasterTestSupport
import Testing

/// Golden files and fixtures live next to this file in Golden/.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    static func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// Compares `actual` with Golden/`name`; on a difference the failure shows
    /// a line diff. `KLASTER_UPDATE_GOLDEN=1` rewrites the file instead.
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = path(name)
        // Fixture paths appear in dead-letter details; keep goldens independent of the checkout location.
        let actual = actual.replacingOccurrences(of: directory + "/", with: "")
        if ProcessInfo.processInfo.environment["KLASTER_UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: file, encoding: .utf8)
        if actual != expected {
            Issue.record(Comment(rawValue: "output differs from Golden/\(name) (- golden, + actual; KLASTER_UPDATE_GOLDEN=1 rewrites it):\n"
                         + lineDiff(expected: expected, actual: actual)), sourceLocation: sourceLocation)
        }
    }

    /// The lines that differ, each with its line number: `-` in the golden
    /// file, `+` in the output; a trailing space shows as `·`.
    static func lineDiff(expected: String, actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func shown(_ line: String) -> String {
            var l = line
            var trailing = 0
            while l.last == " " { l.removeLast(); trailing += 1 }
            return l + String(repeating: "·", count: trailing)
        }
        // Removals (numbered in the golden file) before insertions (numbered in the output), line by line.
        let changes: [(line: Int, insert: Bool, text: String)] = new.difference(from: old).map { change in
            switch change {
            case .remove(let offset, let line, _): (offset + 1, false, line)
            case .insert(let offset, let line, _): (offset + 1, true, line)
            }
        }
        return changes.sorted { ($0.line, $0.insert ? 1 : 0) < ($1.line, $1.insert ? 1 : 0) }
            .map { "\($0.line) \($0.insert ? "+" : "-") \(shown($0.text))" }
            .joined(separator: "\n")
    }
}

/// A database imported from the fixtures, with the fixture config.
struct ImportedFixture {
    let dir: TemporaryDirectory
    let backend: StoreBackend
    /// The `--db` value: a file path, or a PostgreSQL URL.
    let db: String
    let config = Golden.path("klaster.toml")

    init(files: [String] = ["fixture.csv", "fixture.jsonl", "fixture.lp"], backend: StoreBackend = .sqlite) throws {
        dir = try TemporaryDirectory(prefix: "cli")
        self.backend = backend
        db = try backend.freshDatabase(in: dir)
        // Import copies that sit in the temporary directory, whose path has the
        // same length on every machine: dead-letter details name the file, and
        // table columns are as wide as their widest cell, so a fixture path that
        // depended on the checkout location would change the golden padding.
        var copies: [String] = []
        for name in files {
            let copy = dir.file(name)
            try FileManager.default.copyItem(atPath: Golden.path(name), toPath: copy)
            copies.append(copy)
        }
        let r = try klaster(["import", "--config", config, "--db", db] + copies)
        guard r.status == 0 else { throw ImportFailed(message: r.stderr) }
    }

    func klaster(_ args: [String]) throws -> CommandResult { try KlasterBinary.run(args, environment: backend.environment) }

    /// `klaster <command> --config … --db … args…`, with the fixture directory
    /// masked as `<fixtures>` in stdout.
    func run(_ command: [String], _ args: [String] = []) throws -> CommandResult {
        var r = try KlasterBinary.run(command + ["--config", config, "--db", db] + args, environment: backend.environment)
        r.stdout = r.stdout.replacingOccurrences(of: dir.path, with: "<fixtures>")
        return r
    }
}

struct ImportFailed: Error { let message: String }

/// Replaces the receive time (the only wall-clock value in dead-letter output) by a placeholder.
func maskReceivedAt(_ s: String) -> String {
    s.replacingOccurrences(of: #""received_at":"[^"]*""#, with: #""received_at":"<now>""#, options: .regularExpression)
        .replacingOccurrences(of: #"(?m)^\d{4}-\d\d-\d\dT[0-9:.]+Z"#, with: "<now>", options: .regularExpression)
}
