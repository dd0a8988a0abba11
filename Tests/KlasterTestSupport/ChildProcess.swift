import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started by a test, with stdout and stderr going to files
/// (no pipe can fill up and block the child). Stopped by its pid only.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is a Foundation `Process`, itself
    // thread-safe for the calls made here (pid, isRunning, terminationStatus,
    // waitUntilExit); the other stored properties are immutable.
    private let process: Process
    /// Files receiving the child's output.
    public let stdoutPath: String
    public let stderrPath: String

    /// Starts `executable` with `arguments`.
    /// - Parameters:
    ///   - environment: Extra variables merged over the current environment.
    ///   - stdin: Bytes fed to the child's standard input (then closed); `nil` = /dev/null.
    ///   - outputDirectory: Where the stdout/stderr files go.
    public init(executable: String, arguments: [String], environment: [String: String] = [:],
                stdin: Data? = nil, outputDirectory: String, name: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let tag = "\(name)-\(UUID().uuidString.prefix(6))"
        stdoutPath = "\(outputDirectory)/\(tag).out"
        stderrPath = "\(outputDirectory)/\(tag).err"
        try Data().write(to: URL(fileURLWithPath: stdoutPath))
        try Data().write(to: URL(fileURLWithPath: stderrPath))
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        var inputPipe: Pipe?
        if stdin != nil {
            let pipe = Pipe()
            p.standardInput = pipe
            inputPipe = pipe
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        // Test runners call us on (libdispatch) threads that block SIGTERM and
        // friends; a spawned child inherits that mask, and mosquitto, which only
        // unblocks the signals it found unblocked at start, would then ignore
        // SIGTERM. Spawn with an empty mask: restore ours right after.
        var empty = sigset_t()
        var saved = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try p.run()
        if let inputPipe, let stdin {
            let writer = inputPipe.fileHandleForWriting
            // Feed stdin from a helper thread so a large input cannot block the test.
            Thread.detachNewThread {
                writer.write(stdin)
                try? writer.close()
            }
        }
        process = p
    }

    /// The child's process id.
    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the child (by pid).
    public func signal(_ signal: Int32) {
        if process.isRunning { Glibc.kill(process.processIdentifier, signal) }
    }

    /// Waits for the child to exit, up to `timeout`.
    /// - Returns: its exit status (or 128+signal when killed), `nil` on timeout.
    @discardableResult
    public func wait(timeout: Duration) -> Int32? {
        guard waitUntil(timeout: timeout, interval: .milliseconds(10), { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// SIGTERM, wait up to `timeout`, then SIGKILL.
    /// - Returns: the exit status.
    @discardableResult
    public func terminate(timeout: Duration = .seconds(10)) -> Int32? {
        signal(SIGTERM)
        if let s = wait(timeout: timeout) { return s }
        signal(SIGKILL)
        return wait(timeout: .seconds(5))
    }

    /// What the child wrote to stdout so far.
    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// What the child wrote to stderr so far.
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// The result of a finished command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `executable` to completion (killing it after `timeout`).
public func runCommand(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                       environment: [String: String] = [:], timeout: Duration = .seconds(60)) throws -> CommandResult {
    let dir = try TemporaryDirectory(prefix: "run")
    let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                 stdin: stdin, outputDirectory: dir.path, name: "cmd")
    let status = child.wait(timeout: timeout) ?? child.terminate(timeout: .seconds(2)) ?? -1
    return CommandResult(status: status, stdout: child.stdout, stderr: child.stderr)
}
