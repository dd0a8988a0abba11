import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL 15 (Debian's `postgresql-15`) in a temporary
/// directory, listening on a free 127.0.0.1 port and a Unix socket in that
/// directory; stopped by the postmaster's pid.
///
/// `initdb` refuses to run as root, and CI runs as root: then the cluster is
/// created and run as the `postgres` user the package creates
/// (`runuser -u postgres --`), in a directory chowned to it.
///
/// Local (socket) connections are trusted, for the test's own administration;
/// TCP connections need a password (scram-sha-256), which is what Klaster
/// uses, so a wrong password is really refused.
public final class PostgresServer: @unchecked Sendable {
    // @unchecked Sendable: the stored properties are immutable except `pid`,
    // which only start/stop/restart change, called from one task at a time
    // (a test owns its server; the shared one is never restarted).

    /// The role Klaster connects as, and its password.
    public static let user = "klaster"
    public static let password = "klaster-test-secret"
    /// Where Debian installs the server binaries.
    public static let binDirectory = "/usr/lib/postgresql/15/bin"

    public let port: UInt16
    public let directory: TemporaryDirectory
    public var dataDirectory: String { directory.file("data") }
    /// The server log (`pg_ctl -l`).
    public var logPath: String { directory.file("postgres.log") }
    /// The postmaster's pid while it runs.
    public private(set) var pid: Int32?
    private let asPostgresUser: Bool
    private let databaseCounter = Atomic<Int>(0)

    /// `initdb`, then `start()`.
    /// - Throws: `PostgresServerError` with the tool's output when a step fails.
    public init() throws {
        directory = try TemporaryDirectory(prefix: "postgres")
        port = freeLoopbackPort()
        asPostgresUser = geteuid() == 0
        if asPostgresUser {
            guard let pw = getpwnam("postgres") else {
                throw PostgresServerError(message: "running as root but there is no postgres user (apt-get install postgresql-15)")
            }
            guard chown(directory.path, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else {
                throw PostgresServerError(message: "chown \(directory.path) to postgres: \(String(cString: strerror(errno)))")
            }
        }
        let pwfile = directory.file("superuser.pw")
        try "postgres-superuser\n".write(toFile: pwfile, atomically: true, encoding: .utf8)
        if asPostgresUser { chmod(pwfile, 0o644) }
        try run(Self.binDirectory + "/initdb", ["-D", dataDirectory, "-U", "postgres", "--pwfile", pwfile,
                                                "--auth-local=trust", "--auth-host=scram-sha-256",
                                                "--encoding=UTF8", "--locale=C", "--no-sync"])
        try start()
        // The test process's own stores connect with this password (as a user's
        // environment would carry it); spawned `klaster` processes inherit it.
        setenv("KLASTER_PG_PASSWORD", Self.password, 1)
        try admin("CREATE ROLE \(Self.user) LOGIN CREATEDB PASSWORD '\(Self.password)'")
    }

    /// Starts the server (again) on the same port and waits until it accepts.
    public func start() throws {
        let options = "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
            + " -c max_connections=200 -c shared_buffers=64MB -c lc_messages=C"
        try run(Self.binDirectory + "/pg_ctl", ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", logPath, "-o", options])
        guard let first = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
            .split(separator: "\n").first, let p = Int32(first) else {
            throw PostgresServerError(message: "postgres started but wrote no postmaster.pid: \(log)")
        }
        pid = p
        guard waitUntil(timeout: .seconds(30), { loopbackPortAccepts(port) }) else {
            throw PostgresServerError(message: "postgres does not accept on 127.0.0.1:\(port): \(log)")
        }
    }

    /// Fast shutdown (SIGINT to the postmaster, by pid): open transactions are
    /// rolled back, clients disconnected. Waits until the pid file is gone.
    public func stop() {
        guard let pid else { return }
        Glibc.kill(pid, SIGINT)
        _ = waitUntil(timeout: .seconds(30)) { !FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") }
        self.pid = nil
    }

    /// `stop()` then `start()` on the same port and data.
    public func restart() throws {
        stop()
        try start()
    }

    /// A new, empty database owned by `klaster`, with a unique name.
    /// - Returns: Its libpq URI (no password: pass `password` via the environment or a file).
    public func createDatabase(prefix: String = "t") throws -> String {
        let n = databaseCounter.add(1, ordering: .relaxed).newValue
        let name = "\(prefix)_\(getpid())_\(n)".lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
        try admin("CREATE DATABASE \(name) OWNER \(Self.user)")
        return url(database: name)
    }

    /// `postgresql://klaster@127.0.0.1:PORT/NAME`.
    public func url(database: String) -> String {
        "postgresql://\(Self.user)@127.0.0.1:\(port)/\(database)"
    }

    /// Runs SQL as the superuser over the Unix socket (trusted).
    /// - Returns: psql's unaligned, tuples-only output.
    @discardableResult
    public func admin(_ sql: String, database: String = "postgres") throws -> String {
        let r = try Self.spawnAndWait(Self.binDirectory + "/psql",
                                      ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", directory.path, "-p", "\(port)",
                                       "-U", "postgres", "-d", database, "-c", sql], outputDirectory: directory.path)
        guard r.status == 0 else { throw PostgresServerError(message: "psql \(sql.prefix(80)): \(r.output)") }
        return r.output
    }

    /// The server log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let r = asPostgresUser
            ? try Self.spawnAndWait("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments, outputDirectory: directory.path)
            : try Self.spawnAndWait(tool, arguments, outputDirectory: directory.path)
        guard r.status == 0 else {
            throw PostgresServerError(message: "\(tool.split(separator: "/").last ?? "") failed (\(r.status)): \(r.output) \(log)")
        }
    }

    /// Runs a tool to completion with `posix_spawn` and `waitpid`, stdout and
    /// stderr into one file. Not Foundation's `Process`: its exit is noticed
    /// on a dispatch queue, which never ran while the test pool's threads were
    /// all waiting for the shared server, so the first test hung.
    static func spawnAndWait(_ tool: String, _ arguments: [String], outputDirectory: String) throws -> (status: Int32, output: String) {
        let out = "\(outputDirectory)/spawn-\(UUID().uuidString.prefix(8)).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // An empty signal mask, as ChildProcess does: the server must see SIGINT.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, tool, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw PostgresServerError(message: "cannot run \(tool): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: out)
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }

    deinit { stop() }

    // MARK: One server per test process

    private static let sharedServer = Mutex<PostgresServer?>(nil)

    /// The test process's shared server (started on first use, stopped at
    /// exit): each test makes its own database on it with `createDatabase`.
    /// Tests that stop or restart a server start their own instead.
    public static func shared() throws -> PostgresServer {
        try sharedServer.withLock { (s: inout PostgresServer?) throws -> PostgresServer in
            if let s { return s }
            let server = try PostgresServer()
            s = server
            atexit { PostgresServer.stopShared() }
            return server
        }
    }

    /// At exit no deinit runs: stop the server and remove its directory here.
    private static func stopShared() {
        sharedServer.withLock { s in
            s?.stop()
            if let path = s?.directory.path, ProcessInfo.processInfo.environment["KLASTER_KEEP_TMP"] == nil {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// Whether this machine has PostgreSQL 15 (`make deps` installs it).
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: binDirectory + "/initdb")
    }
}

/// A server that failed to start or be configured.
public struct PostgresServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
