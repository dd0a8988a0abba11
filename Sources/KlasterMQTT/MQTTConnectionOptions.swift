import KlasterCore

#if canImport(Glibc)
import Glibc
#endif

/// Everything needed to open one MQTT connection, shared by the ingest
/// daemon and `MQTTPublisher`.
public struct MQTTConnectionOptions: Sendable {
    /// TLS files; `caFile == nil` uses the system trust store.
    public struct TLS: Sendable, Equatable {
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        /// Do not check that the certificate names the host. Tests only.
        public var insecure: Bool
        public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, insecure: Bool = false) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.insecure = insecure
        }
    }

    public var url: BrokerURL
    /// `nil` lets libmosquitto pick a random id (only with `cleanSession`).
    public var clientID: String?
    /// `false` keeps a persistent session: the broker queues QoS ≥ 1
    /// messages while we are away and redelivers unacknowledged ones.
    public var cleanSession: Bool
    public var username: String?
    public var password: String?
    /// Set when the URL is `mqtts://` or any TLS file is given.
    public var tls: TLS?
    /// 4 = MQTT 3.1.1, 5 = MQTT 5.
    public var protocolVersion: Int
    /// MQTT 5 session expiry interval, seconds (the v5 form of a persistent session).
    public var sessionExpirySeconds: UInt32
    public var keepAliveSeconds: Int32
    /// Buffered socket I/O for a client driven by hand (`MosquittoClient(options:bufferedIO:)`);
    /// the daemon's connection takes it from `mqtt.buffered_io`.
    public var bufferedIO = false

    /// - Parameters: see the properties.
    public init(url: BrokerURL, clientID: String? = nil, cleanSession: Bool = true, username: String? = nil,
                password: String? = nil, tls: TLS? = nil, protocolVersion: Int = 4,
                sessionExpirySeconds: UInt32 = 0, keepAliveSeconds: Int32 = 30) {
        self.url = url
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.username = username
        self.password = password
        self.tls = tls ?? (url.tls ? TLS() : nil)
        self.protocolVersion = protocolVersion
        self.sessionExpirySeconds = sessionExpirySeconds
        self.keepAliveSeconds = keepAliveSeconds
    }

    /// The daemon's connection from the `[mqtt]` config: fixed client id,
    /// persistent session, password from `password_file` or the
    /// `KLASTER_MQTT_PASSWORD` environment variable (never the command line).
    /// - Throws: `KlasterError(.usage)` for a bad URL, `.noInput` for a missing password file,
    ///   `.config` for one that is empty or not a regular file.
    public init(config m: KlasterConfig.MQTT, environment: [String: String]) throws(KlasterError) {
        let url = try BrokerURL(m.url)
        var password: String?
        if let file = m.passwordFile {
            password = try Self.readPasswordFile(file)
        } else if let p = environment["KLASTER_MQTT_PASSWORD"] {
            password = p
        }
        var tls: TLS?
        if url.tls || m.caFile != nil || m.certFile != nil {
            tls = TLS(caFile: m.caFile, certFile: m.certFile, keyFile: m.keyFile, insecure: m.tlsInsecure)
        }
        if (m.certFile == nil) != (m.keyFile == nil) {
            throw KlasterError(.usage, "mqtt.cert_file and mqtt.key_file go together", hint: "give both or neither")
        }
        self.init(url: url, clientID: m.clientID, cleanSession: false, username: m.username, password: password, tls: tls,
                  protocolVersion: m.protocolVersion, sessionExpirySeconds: UInt32(clamping: m.sessionExpiry / 1000),
                  keepAliveSeconds: m.keepAlive)
        bufferedIO = m.bufferedIO
    }

    /// Reads a password file: its first line, without the line end.
    static func readPasswordFile(_ path: String) throws(KlasterError) -> String {
        guard let f = fopen(path, "r") else {
            throw KlasterError(.noInput, "cannot read mqtt.password_file \(path): \(String(cString: strerror(errno)))",
                               hint: "create it (mode 0600) with the broker password on one line")
        }
        defer { fclose(f) }
        // A directory opens for reading on Linux and reads as nothing: refuse
        // it rather than log in with an empty password.
        var st = stat()
        guard fstat(fileno(f), &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw KlasterError(.config, "mqtt.password_file \(path) is not a regular file",
                               hint: "point it at a file (mode 0600) with the broker password on its first line")
        }
        var bytes: [UInt8] = []
        while true {
            let c = fgetc(f)
            if c == EOF || c == 10 || c == 13 { break }
            bytes.append(UInt8(truncatingIfNeeded: c))
        }
        if ferror(f) != 0 {
            throw KlasterError(.ioError, "cannot read mqtt.password_file \(path): \(String(cString: strerror(errno)))", hint: "check the file")
        }
        guard !bytes.isEmpty else {
            throw KlasterError(.config, "mqtt.password_file \(path) has an empty first line",
                               hint: "put the broker password on its first line, or remove password_file")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
