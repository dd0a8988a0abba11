import CMosquitto
import Foundation
import KlasterCore

/// Publishes messages to a broker: used by `klaster simulate` and by the
/// alert emitter. Runs libmosquitto's own network thread; `publish` may be
/// called from any one thread at a time.
///
/// Flow control: at most `maxOutstanding` messages may be unfinished
/// (QoS 0 not yet written, QoS 1/2 not yet acknowledged); `publish` waits
/// beyond that, so a fast producer cannot grow memory without bound.
///
/// ```swift
/// let p = try MQTTPublisher(url: "mqtt://127.0.0.1:1883")
/// try p.publish(topic: "nextgen/a/m1/active_power_kw", payload: #"{"ts":1,"v":2}"#, qos: 1)
/// try p.flush(timeout: .seconds(5))
/// p.disconnect()
/// ```
public final class MQTTPublisher: @unchecked Sendable {
    // @unchecked Sendable: `client` is used through libmosquitto's thread-safe
    // API (publish/disconnect/loop_stop take its internal mutexes), and every
    // mutable Swift field below is guarded by `condition`.
    private let client: MosquittoClient
    private let events: PublisherEvents
    /// Largest number of unfinished messages before `publish` waits.
    public let maxOutstanding: Int

    /// Connects and waits for the broker's CONNACK.
    /// - Parameters:
    ///   - options: Broker, credentials, TLS, protocol.
    ///   - maxOutstanding: Flow-control window (see the type's docs).
    ///   - connectTimeout: How long to wait for the CONNACK.
    /// - Throws: `KlasterError` with `.unavailable` (69) when the broker cannot
    ///   be reached or TLS fails, `.noPermission` (77) for refused credentials.
    ///   - will: What the broker publishes if this client vanishes without a DISCONNECT.
    public init(options: MQTTConnectionOptions, maxOutstanding: Int = 10_000, connectTimeout: Duration = .seconds(10),
                will: Will? = nil) throws(KlasterError) {
        self.maxOutstanding = max(1, maxOutstanding)
        events = PublisherEvents()
        client = try MosquittoClient(options: options)
        client.delegate = events
        if let will {
            try MosquittoErrors.check(client.setWill(topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain),
                                      doing: "set the will on \(will.topic)")
        }
        // libmosquitto's own window of QoS>0 messages in flight (default 20).
        mosquitto_max_inflight_messages_set(client.handle, UInt32(min(self.maxOutstanding, 65_535)))
        mosquitto_reconnect_delay_set(client.handle, 1, 10, false)
        let doing = "connect to \(options.url)"
        try MosquittoErrors.check(client.connect(), doing: doing)
        try MosquittoErrors.check(mosquitto_loop_start(client.handle), doing: "start the MQTT network thread")
        let rc = events.waitForConnack(timeout: connectTimeout)
        switch rc {
        case nil:
            mosquitto_loop_stop(client.handle, true)
            throw KlasterError(.unavailable, "\(doing): no CONNACK within \(connectTimeout)", hint: "is it an MQTT broker, and is TLS (mqtts://) right?")
        case let rc?:
            if case .fatal(let e) = MosquittoErrors.classifyConnack(rc, url: options.url.description) {
                mosquitto_loop_stop(client.handle, true)
                throw e
            }
            if case .transient(let e) = MosquittoErrors.classifyConnack(rc, url: options.url.description) {
                mosquitto_loop_stop(client.handle, true)
                throw e
            }
        }
    }

    /// A will message (MQTT Last Will and Testament).
    public struct Will: Sendable {
        public var topic: String
        public var payload: [UInt8]
        public var qos: Int32
        public var retain: Bool

        public init(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }
    }

    /// Subscribes to `topic`; its messages collect until `takeMessages()`.
    /// - Throws: `KlasterError` when libmosquitto refuses the filter.
    public func subscribe(_ topic: String, qos: Int32 = 1) throws(KlasterError) {
        try MosquittoErrors.check(client.subscribe(topic, qos: qos), doing: "subscribe to \(topic)")
    }

    /// Messages received on the subscriptions since the last call, in arrival order.
    public func takeMessages() -> [(topic: String, payload: [UInt8])] { events.takeMessages() }

    /// Convenience: a clean-session publisher for `url`.
    /// - Parameters:
    ///   - url: `mqtt://host:port` or `mqtts://host:port`.
    ///   - clientID: `nil` for a random one.
    ///   - username: Optional user name.
    ///   - password: Optional password (read it from a file or the environment, never argv).
    ///   - tls: TLS files; implied by `mqtts://`.
    public convenience init(url: String, clientID: String? = nil, username: String? = nil, password: String? = nil,
                            tls: MQTTConnectionOptions.TLS? = nil, protocolVersion: Int = 4,
                            maxOutstanding: Int = 10_000) throws(KlasterError) {
        let options = MQTTConnectionOptions(url: try BrokerURL(url), clientID: clientID, cleanSession: true,
                                            username: username, password: password, tls: tls, protocolVersion: protocolVersion)
        try self.init(options: options, maxOutstanding: maxOutstanding)
    }

    deinit {
        mosquitto_disconnect(client.handle)
        mosquitto_loop_stop(client.handle, true)
    }

    /// Queues one message; waits while `maxOutstanding` messages are unfinished.
    /// - Parameters:
    ///   - topic: The topic (no wildcards).
    ///   - payload: The bytes.
    ///   - qos: 0, 1 or 2.
    ///   - retain: Ask the broker to keep it as the topic's retained message.
    /// - Throws: `KlasterError(.usage)` for a bad topic/QoS, `.unavailable` when the connection is gone for good.
    public func publish(topic: String, payload: UnsafeRawBufferPointer, qos: Int32 = 1, retain: Bool = false) throws(KlasterError) {
        events.acquireSlot(limit: maxOutstanding)
        let rc = mosquitto_publish(client.handle, nil, topic, Int32(payload.count), payload.baseAddress, qos, retain)
        if rc == MOSQ_ERR_NO_CONN.rawValue {
            // QoS 1/2: queued by libmosquitto, sent after its automatic reconnect.
            // QoS 0: dropped by libmosquitto (at most once), so no callback will come.
            if qos == 0 { events.releaseSlot() }
            return
        }
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            events.releaseSlot()
            try MosquittoErrors.check(rc, doing: "publish to \(topic)")
        }
    }

    /// `publish` for a byte array.
    public func publish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws(KlasterError) {
        var failure: KlasterError?
        payload.withUnsafeBytes { b in
            do throws(KlasterError) { try publish(topic: topic, payload: b, qos: qos, retain: retain) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// `publish` for UTF-8 text.
    public func publish(topic: String, payload: String, qos: Int32 = 1, retain: Bool = false) throws(KlasterError) {
        var text = payload
        var failure: KlasterError?
        text.withUTF8 { b in
            do throws(KlasterError) { try publish(topic: topic, payload: UnsafeRawBufferPointer(b), qos: qos, retain: retain) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Number of messages not yet written (QoS 0) or acknowledged (QoS 1/2).
    public var outstanding: Int { events.outstandingCount }

    /// Waits until every message published so far is finished.
    /// - Throws: `KlasterError(.unavailable)` when `timeout` passes first.
    public func flush(timeout: Duration) throws(KlasterError) {
        guard events.waitForDrain(timeout: timeout) else {
            throw KlasterError(.unavailable, "\(events.outstandingCount) messages still unacknowledged after \(timeout)",
                               hint: "is the broker reachable?")
        }
    }

    /// Sends DISCONNECT and stops the network thread. Unflushed QoS 0 messages may be lost; call `flush` first.
    public func disconnect() {
        mosquitto_disconnect(client.handle)
        mosquitto_loop_stop(client.handle, false)
    }
}

/// The publisher's callback target and its counters, guarded by one `NSCondition`.
private final class PublisherEvents: MosquittoDelegate, @unchecked Sendable {
    // @unchecked Sendable: every stored var is read and written with `condition` held.
    private let condition = NSCondition()
    private var connack: Int32?
    private var outstanding = 0
    private var inbox: [(topic: String, payload: [UInt8])] = []

    func takeMessages() -> [(topic: String, payload: [UInt8])] {
        condition.lock(); defer { condition.unlock() }
        defer { inbox.removeAll() }
        return inbox
    }

    var outstandingCount: Int {
        condition.lock(); defer { condition.unlock() }
        return outstanding
    }

    func waitForConnack(timeout: Duration) -> Int32? {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock(); defer { condition.unlock() }
        while connack == nil { if !condition.wait(until: deadline) { break } }
        return connack
    }

    func acquireSlot(limit: Int) {
        condition.lock(); defer { condition.unlock() }
        while outstanding >= limit { condition.wait() }
        outstanding += 1
    }

    func releaseSlot() {
        condition.lock(); defer { condition.unlock() }
        outstanding -= 1
        condition.broadcast()
    }

    func waitForDrain(timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock(); defer { condition.unlock() }
        while outstanding > 0 { if !condition.wait(until: deadline) { return outstanding == 0 } }
        return true
    }

    func mosquittoConnected(rc: Int32, sessionPresent: Bool) {
        condition.lock(); defer { condition.unlock() }
        connack = rc
        condition.broadcast()
    }

    func mosquittoDisconnected(rc: Int32) {}
    func mosquittoMessage(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        let m = (String(decoding: topic, as: UTF8.self), Array(payload))
        condition.lock(); defer { condition.unlock() }
        inbox.append(m)
    }
    func mosquittoSubscribed(mid: Int32, grantedQoS: [Int32]) {}

    func mosquittoPublished(mid: Int32) {
        releaseSlot()
    }
}
