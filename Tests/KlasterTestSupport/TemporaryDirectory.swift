import Foundation

/// A fresh directory under the system temp dir, removed when the value is
/// deinitialised (unless `KLASTER_KEEP_TMP` is set, for post-mortems).
public final class TemporaryDirectory: Sendable {
    /// Absolute path of the directory.
    public let path: String

    /// Creates `…/klaster-<prefix>-<random>`.
    /// - Throws: when the directory cannot be created.
    public init(prefix: String = "test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/klaster-\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `contents` to `path/name` and returns the full path.
    @discardableResult
    public func write(_ name: String, _ contents: String) throws -> String {
        let p = file(name)
        try contents.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    deinit {
        if ProcessInfo.processInfo.environment["KLASTER_KEEP_TMP"] == nil {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
