import Foundation

/// The built `klaster` executable: `KLASTER_BIN` if set, else
/// `<package root>/.build/debug/klaster` (root found by walking up from this
/// file to `Package.swift`).
public enum KlasterBinary {
    /// The package root directory.
    public static let packageRoot: String = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir.path }
            dir = dir.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// Path of the executable the tests run.
    public static var path: String {
        if let p = ProcessInfo.processInfo.environment["KLASTER_BIN"], !p.isEmpty { return p }
        return "\(packageRoot)/.build/debug/klaster"
    }

    /// Runs `klaster args…` to completion.
    /// - Parameters:
    ///   - stdin: Bytes fed to standard input.
    ///   - environment: Extra variables (e.g. `KLASTER_MQTT_PASSWORD`).
    /// - Returns: exit status, stdout and stderr.
    public static func run(_ args: [String], stdin: Data? = nil, environment: [String: String] = [:],
                           timeout: Duration = .seconds(60)) throws -> CommandResult {
        try runCommand(path, args, stdin: stdin, environment: environment, timeout: timeout)
    }

    /// Starts `klaster args…` in the background (e.g. `ingest`); output goes
    /// to files in `outputDirectory`.
    public static func spawn(_ args: [String], environment: [String: String] = [:], outputDirectory: String) throws -> ChildProcess {
        try ChildProcess(executable: path, arguments: args, environment: environment, outputDirectory: outputDirectory, name: "klaster")
    }
}
