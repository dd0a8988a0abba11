import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private Debian `mosquitto` on a free 127.0.0.1 port, with a config the
/// test writes into its own temporary directory; stopped by pid.
public final class MosquittoBroker: @unchecked Sendable {
    // @unchecked Sendable: `child` is only replaced by start/stop/kill/restart,
    // which a test calls from one task at a time (documented on those methods).

    /// What the broker's config says.
    public struct Options: Sendable {
        /// `persistence true` with a private `persistence_location`.
        public var persistence = true
        /// `max_inflight_messages` (per client, QoS 1/2 in flight).
        public var maxInflightMessages = 1000
        /// `max_queued_messages` for offline persistent sessions (0 = no limit).
        public var maxQueuedMessages = 0
        /// Users (name → clear password); when non-empty, anonymous access is off.
        public var users: [String: String] = [:]
        /// A TLS listener on `tlsPort` with these files.
        public var tls: TLSFiles?
        /// Extra config lines appended verbatim.
        public var extraConfig: [String] = []
        public init() {}
    }

    /// Certificate files for a TLS listener.
    public struct TLSFiles: Sendable {
        public var caFile: String
        public var certFile: String
        public var keyFile: String
        /// Ask clients for a certificate signed by `caFile`.
        public var requireClientCertificate: Bool
        public init(caFile: String, certFile: String, keyFile: String, requireClientCertificate: Bool = false) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.requireClientCertificate = requireClientCertificate
        }
    }

    public let options: Options
    /// Plain MQTT port on 127.0.0.1.
    public let port: UInt16
    /// TLS port on 127.0.0.1 (0 when no TLS listener).
    public let tlsPort: UInt16
    /// The broker's own temporary directory (config, persistence, log).
    public let directory: TemporaryDirectory
    public let configPath: String
    private var child: ChildProcess?

    /// `mqtt://127.0.0.1:<port>`.
    public var url: String { "mqtt://127.0.0.1:\(port)" }
    /// `mqtts://127.0.0.1:<tlsPort>`.
    public var tlsURL: String { "mqtts://127.0.0.1:\(tlsPort)" }
    /// The broker's pid while it runs.
    public var pid: Int32? { child?.pid }

    /// Writes the config and starts the broker; returns once the port accepts.
    /// - Throws: when mosquitto does not come up within 10 s (its log is in the message).
    public init(_ options: Options = Options()) throws {
        self.options = options
        directory = try TemporaryDirectory(prefix: "mosquitto")
        port = freeLoopbackPort()
        tlsPort = options.tls == nil ? 0 : freeLoopbackPort()
        var lines = [
            "user root",
            "per_listener_settings false",
            "listener \(port) 127.0.0.1",
            "allow_anonymous \(options.users.isEmpty)",
            "persistence \(options.persistence)",
            "persistence_location \(directory.path)/",
            "autosave_interval 1",
            "max_queued_messages \(options.maxQueuedMessages)",
            "max_inflight_messages \(options.maxInflightMessages)",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
        ]
        if !options.users.isEmpty {
            let pw = directory.file("passwd")
            try Data().write(to: URL(fileURLWithPath: pw))
            for (user, password) in options.users.sorted(by: { $0.key < $1.key }) {
                let r = try runCommand("/usr/bin/mosquitto_passwd", ["-b", pw, user, password])
                guard r.status == 0 else { throw BrokerError(message: "mosquitto_passwd failed: \(r.stderr)") }
            }
            lines.append("password_file \(pw)")
        }
        if let tls = options.tls {
            lines += [
                "listener \(tlsPort) 127.0.0.1",
                "cafile \(tls.caFile)",
                "certfile \(tls.certFile)",
                "keyfile \(tls.keyFile)",
                "require_certificate \(tls.requireClientCertificate)",
            ]
        }
        lines += options.extraConfig
        configPath = try directory.write("mosquitto.conf", lines.joined(separator: "\n") + "\n")
        try start()
    }

    /// Starts the broker (again) on the same ports and waits until it accepts.
    public func start() throws {
        let c = try ChildProcess(executable: "/usr/sbin/mosquitto", arguments: ["-c", configPath],
                                 outputDirectory: directory.path, name: "mosquitto")
        child = c
        let up = waitUntil(timeout: .seconds(10), interval: .milliseconds(10)) {
            guard c.isRunning else { return true }
            return loopbackPortAccepts(port) && (tlsPort == 0 || loopbackPortAccepts(tlsPort))
        }
        guard up, c.isRunning else {
            throw BrokerError(message: "mosquitto did not start on port \(port): \(c.stderr)")
        }
    }

    /// SIGTERM and wait: the broker saves its persistence file and exits.
    public func stop() {
        child?.terminate(timeout: .seconds(10))
        child = nil
        _ = waitUntil(timeout: .seconds(5)) { !loopbackPortAccepts(port) }
    }

    /// SIGKILL: no chance to save state beyond the last autosave.
    public func kill() {
        child?.signal(SIGKILL)
        child?.wait(timeout: .seconds(5))
        child = nil
    }

    /// `stop()` then `start()` on the same ports.
    public func restart() throws {
        stop()
        try start()
    }

    /// The broker's log so far.
    public var log: String { child?.stderr ?? "" }

    deinit { child?.terminate(timeout: .seconds(5)) }
}

/// A broker that failed to start or be configured.
public struct BrokerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
