import CBufferedIO
import CMosquitto
import KlasterCore

#if canImport(Glibc)
import Glibc
#endif

/// Receives libmosquitto's callbacks, on whichever thread runs the loop.
public protocol MosquittoDelegate: AnyObject {
    /// CONNACK arrived; `rc` 0 = accepted, else the refusal reason.
    func mosquittoConnected(rc: Int32, sessionPresent: Bool)
    /// The connection ended (`rc` 0 = we asked for it).
    func mosquittoDisconnected(rc: Int32)
    /// A PUBLISH arrived. `topic` (without its NUL) and `payload` are valid only during the call.
    func mosquittoMessage(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer)
    /// An outgoing message completed (QoS 0: written; QoS 1: PUBACK; QoS 2: PUBCOMP).
    func mosquittoPublished(mid: Int32)
    /// A SUBACK arrived; `grantedQoS` holds 128 for a refused topic.
    func mosquittoSubscribed(mid: Int32, grantedQoS: [Int32])
}

/// Owns one `struct mosquitto *` (destroyed in `deinit`) and forwards its
/// callbacks to a delegate. Thin: it names the libmosquitto calls Klaster
/// uses; policy (when to read, write, reconnect) lives in its users.
///
/// Not Sendable: one thread drives a handle (the ingest network thread, or
/// the publisher under libmosquitto's own thread-safe API).
public final class MosquittoClient {
    let handle: OpaquePointer
    public let options: MQTTConnectionOptions
    /// `unowned(unsafe)`: the delegate owns this client and outlives it, and
    /// a weak reference would cost an atomic load per message.
    public unowned(unsafe) var delegate: (any MosquittoDelegate)?

    /// Whether ``attachBufferedIO()`` buffers this client's plain TCP socket.
    public let buffersIO: Bool
    /// Whether the wake-up byte per queued packet is swallowed (`bufferedIO`).
    private let bufferedIO: Bool

    /// Creates the handle and applies protocol, credentials and TLS.
    ///
    /// With `bufferedIO` (for a client driven by hand with `setThreaded()`,
    /// whose loop never reads libmosquitto's internal wake-up socket pair):
    /// the wake-up byte libmosquitto writes for every packet it queues is
    /// swallowed, and ``attachBufferedIO()`` buffers the connection's reads
    /// and writes (see `klaster_bufio.h`). A client that runs
    /// `mosquitto_loop_start` must not ask for it: its thread waits on that pair.
    /// - Throws: `KlasterError` when libmosquitto rejects an option (e.g. an unreadable CA file).
    public init(options: MQTTConnectionOptions, bufferedIO: Bool = false) throws(KlasterError) {
        MosquittoLibrary.ensureInitialised()
        self.options = options
        // TLS reads and writes go through OpenSSL's buffers and its pending-data
        // accounting; only plain TCP is buffered here.
        buffersIO = bufferedIO && options.tls == nil
        self.bufferedIO = bufferedIO
        if bufferedIO { klaster_bufio_capture_wakeup_begin() }
        let created = mosquitto_new(options.clientID, options.cleanSession, nil)
        if bufferedIO { _ = klaster_bufio_capture_wakeup_end() }
        guard let h = created else {
            throw KlasterError(.software, "cannot create an MQTT client", hint: "out of memory, or a persistent session without a client id")
        }
        handle = h
        mosquitto_user_data_set(h, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_with_flags_callback_set(h) { _, obj, rc, flags in
            MosquittoClient.from(obj)?.delegate?.mosquittoConnected(rc: rc, sessionPresent: flags & 1 != 0)
        }
        mosquitto_disconnect_callback_set(h) { _, obj, rc in
            MosquittoClient.from(obj)?.delegate?.mosquittoDisconnected(rc: rc)
        }
        mosquitto_message_callback_set(h) { _, obj, message in
            guard let message else { return }
            let m = message.pointee
            let topic = UnsafeRawBufferPointer(start: m.topic, count: m.topic.map { strlen($0) } ?? 0)
            let payload = UnsafeRawBufferPointer(start: m.payload, count: Int(m.payloadlen))
            MosquittoClient.from(obj)?.delegate?.mosquittoMessage(topic: topic, payload: payload)
        }
        mosquitto_publish_callback_set(h) { _, obj, mid in
            MosquittoClient.from(obj)?.delegate?.mosquittoPublished(mid: mid)
        }
        mosquitto_subscribe_callback_set(h) { _, obj, mid, count, granted in
            var qos: [Int32] = []
            if let granted { for i in 0..<Int(count) { qos.append(granted[i]) } }
            MosquittoClient.from(obj)?.delegate?.mosquittoSubscribed(mid: mid, grantedQoS: qos)
        }
        let where_ = "MQTT client for \(options.url)"
        let version = options.protocolVersion == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try MosquittoErrors.check(mosquitto_int_option(h, MOSQ_OPT_PROTOCOL_VERSION, Int32(version)), doing: "\(where_): set protocol")
        try MosquittoErrors.check(mosquitto_int_option(h, MOSQ_OPT_TCP_NODELAY, 1), doing: "\(where_): set TCP_NODELAY")
        if options.username != nil || options.password != nil {
            try MosquittoErrors.check(mosquitto_username_pw_set(h, options.username, options.password), doing: "\(where_): set credentials")
        }
        if let tls = options.tls {
            let capath: String? = tls.caFile == nil ? "/etc/ssl/certs" : nil
            try MosquittoErrors.check(mosquitto_tls_set(h, tls.caFile, capath, tls.certFile, tls.keyFile, nil),
                                      doing: "\(where_): load TLS files (ca \(tls.caFile ?? capath ?? "-"), cert \(tls.certFile ?? "-"), key \(tls.keyFile ?? "-"))")
            if tls.insecure {
                try MosquittoErrors.check(mosquitto_tls_insecure_set(h, true), doing: "\(where_): set tls_insecure")
            }
        }
    }

    deinit {
        mosquitto_user_data_set(handle, nil)
        mosquitto_destroy(handle)
    }

    @inline(__always)
    static func from(_ obj: UnsafeMutableRawPointer?) -> MosquittoClient? {
        guard let obj else { return nil }
        return Unmanaged<MosquittoClient>.fromOpaque(obj).takeUnretainedValue()
    }

    /// The `MOSQ_ERR_SUCCESS` return code.
    public static let success: Int32 = MOSQ_ERR_SUCCESS.rawValue

    /// Marks the handle as driven by a thread of ours: outgoing packets are
    /// then only queued, and reach the socket on `loopWrite()`.
    public func setThreaded() {
        mosquitto_threaded_set(handle, true)
    }

    /// Connects (blocking TCP connect + queued CONNECT packet); with MQTT 5
    /// and a persistent session, sends the session expiry interval.
    /// - Returns: a `MOSQ_ERR_*` code.
    public func connect() -> Int32 {
        // mosquitto_connect closes and re-creates the wake-up socket pair
        // (lib/connect.c): learn the new write end on this thread.
        guard bufferedIO else { return connectNow() }
        klaster_bufio_capture_wakeup_begin()
        defer { _ = klaster_bufio_capture_wakeup_end() }
        return connectNow()
    }

    private func connectNow() -> Int32 {
        let o = options
        if o.protocolVersion == 5 && !o.cleanSession && o.sessionExpirySeconds > 0 {
            var props: OpaquePointer? = nil
            let rc = mosquitto_property_add_int32(&props, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), o.sessionExpirySeconds)
            guard rc == MOSQ_ERR_SUCCESS.rawValue else { return rc }
            defer { mosquitto_property_free_all(&props) }
            return mosquitto_connect_bind_v5(handle, o.url.host, o.url.port, o.keepAliveSeconds, nil, props)
        }
        return mosquitto_connect(handle, o.url.host, o.url.port, o.keepAliveSeconds)
    }

    /// Sets (or replaces) the will the broker publishes if this client
    /// vanishes without a DISCONNECT; takes effect at the next `connect()`.
    /// - Returns: a `MOSQ_ERR_*` code.
    public func setWill(topic: String, payload: [UInt8], qos: Int32, retain: Bool) -> Int32 {
        payload.withUnsafeBytes { mosquitto_will_set(handle, topic, Int32(payload.count), $0.baseAddress, qos, retain) }
    }

    /// Queues a PUBLISH (it leaves with the next `loopWrite()` in threaded mode).
    /// - Returns: a `MOSQ_ERR_*` code.
    public func publish(topic: String, payload: [UInt8], qos: Int32, retain: Bool) -> Int32 {
        payload.withUnsafeBytes { mosquitto_publish(handle, nil, topic, Int32(payload.count), $0.baseAddress, qos, retain) }
    }

    /// Queues a SUBSCRIBE. - Returns: a `MOSQ_ERR_*` code.
    public func subscribe(_ topic: String, qos: Int32) -> Int32 {
        mosquitto_subscribe(handle, nil, topic, qos)
    }

    /// The socket to poll, or -1 when not connected.
    public var socket: Int32 { mosquitto_socket(handle) }
    /// Whether queued outgoing packets are waiting for the socket.
    public var wantWrite: Bool { mosquitto_want_write(handle) }

    /// Reads and handles at most one packet (libmosquitto ignores larger
    /// counts for a QoS 1 subscriber anyway). - Returns: a `MOSQ_ERR_*` code.
    @inline(__always)
    public func loopRead() -> Int32 { mosquitto_loop_read(handle, 1) }
    /// Writes every queued packet the socket takes. - Returns: a `MOSQ_ERR_*` code.
    public func loopWrite() -> Int32 { mosquitto_loop_write(handle, 1) }
    /// Keepalive (queues PINGREQ, detects a silent broker). - Returns: a `MOSQ_ERR_*` code.
    public func loopMisc() -> Int32 { mosquitto_loop_misc(handle) }
    // MARK: Buffered I/O (clients created with `bufferedIO`)

    /// Starts buffering the current socket if this client buffers and it is
    /// not buffered yet; call on the loop thread once a connection attempt has
    /// finished and before reading. A reconnect's new socket needs it again
    /// (closing the old one dropped its buffers). Falls back to unbuffered
    /// I/O, silently, where attaching is not possible (a ThreadSanitizer build).
    public func attachBufferedIO() {
        let fd = socket
        guard buffersIO, fd >= 0, klaster_bufio_attached(fd) == 0 else { return }
        _ = klaster_bufio_attach(fd)
    }

    /// Bytes already read from the socket that libmosquitto has not consumed:
    /// poll(2) cannot see them, so the loop must read before it polls.
    public var bufferedInput: Int {
        let fd = socket
        return fd >= 0 ? klaster_bufio_readable(fd) : 0
    }

    /// Bytes libmosquitto has written that have not reached the socket yet.
    public var unsentOutput: Int {
        let fd = socket
        return fd >= 0 ? klaster_bufio_unsent(fd) : 0
    }

    /// The outcome of ``flushOutput()``.
    public enum FlushResult: Equatable, Sendable {
        /// Nothing is left to send.
        case done
        /// The socket is full; poll for POLLOUT and flush again.
        case wouldBlock
        /// The connection is gone (`errno` text).
        case failed(String)
    }

    /// Sends what the write buffer holds, in one system call when the socket
    /// takes it all. Call after every `loopWrite()`.
    public func flushOutput() -> FlushResult {
        let fd = socket
        guard fd >= 0 else { return .done }
        switch klaster_bufio_flush(fd) {
        case 0: return .done
        case 1: return .wouldBlock
        default: return .failed(String(cString: strerror(errno)))
        }
    }

    /// Queues DISCONNECT. - Returns: a `MOSQ_ERR_*` code.
    @discardableResult
    public func disconnect() -> Int32 { mosquitto_disconnect(handle) }
}
