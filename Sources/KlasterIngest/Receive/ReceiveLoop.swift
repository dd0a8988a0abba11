import CLinux
import KlasterCore
import KlasterMQTT
import Logging

#if canImport(Glibc)
import Glibc
import Synchronization
import CoreMetrics
#endif

/// The ingest network thread: drives libmosquitto by hand so that no
/// acknowledgement leaves before the readings it acknowledges are committed.
///
/// libmosquitto sends the QoS 1 PUBACK (QoS 2 PUBREC) *before* `on_message`
/// (lib/handle_publish.c), but in threaded mode `packet__queue`
/// (lib/packet_mosq.c) only queues it; it reaches the socket on
/// `mosquitto_loop_write`. So the cycle is:
///   1. read a burst of packets (`mosquitto_loop_read`, one packet per call,
///      until the socket would block or the burst cap), parsing each message
///      and pushing its events into the ring;
///   2. ask the aggregator to commit through the burst's last message and
///      wait for `committedSeq` to reach it;
///   3. `mosquitto_loop_write`: the PUBACKs (and any PINGREQ, SUBSCRIBE)
///      leave. Invariant: whenever we write, everything read is committed.
/// Holding writes back cannot deadlock on a full broker inflight window: the
/// burst ends when the socket runs dry, and the commit does not depend on
/// more reads. Keepalive keeps working: the hold lasts one commit (ms), and
/// `mosquitto_loop_misc` runs every cycle, queueing PINGREQ which leaves with
/// the next write.
///
/// A disconnect drops libmosquitto's queued PUBACKs (lib/connect.c,
/// `mosquitto__reconnect` cleans the out queue); the broker redelivers those
/// messages on the persistent session, and (series, ts) dedupe absorbs them.
final class ReceiveLoop<Decoder: MessageDecoder>: MosquittoDelegate {
    private let shared: IngestShared
    private let client: MosquittoClient
    private var decoder: Decoder
    private let topics: [String]
    private let qos: Int32
    private let burstCap: Int
    /// A burst never holds acknowledgements longer than this (batch_max_delay).
    private let burstMaxNanos: Int64
    /// How long a dry socket is given to deliver the rest of a window.
    private let lingerNanos: Int64 = 1_000_000
    private let maxPayloadBytes: Int
    private let logger: Logger
    private var backoff: ReconnectBackoff

    private enum State: Equatable { case down, connecting, up }
    private var state = State.down
    /// Sequence number of the last message read (and pushed to the ring).
    private var lastReadSeq: UInt64
    private var readings: [Reading] = []
    private var receivedInBurst: Int64 = 0
    private var lastError: String?
    private var connackDeadline: Int64 = 0
    private var everConnected = false
    private var pollFDs = [pollfd](repeating: pollfd(), count: 2)

    init(shared: IngestShared, options: MQTTConnectionOptions, config: KlasterConfig, decoder: Decoder, logger: Logger) throws(KlasterError) {
        self.shared = shared
        self.decoder = decoder
        self.logger = logger
        client = try MosquittoClient(options: options)
        client.setThreaded()
        qos = config.mqtt.qos
        if let group = config.mqtt.sharedGroup, !group.isEmpty {
            topics = config.mqtt.topics.map { "$share/\(group)/\($0)" }
        } else {
            topics = config.mqtt.topics
        }
        burstCap = max(1, config.ingest.batchMaxMessages)
        burstMaxNanos = max(1, config.ingest.batchMaxDelay) * 1_000_000
        maxPayloadBytes = config.ingest.maxPayloadBytes
        backoff = ReconnectBackoff(minMillis: config.mqtt.reconnectMin, maxMillis: config.mqtt.reconnectMax)
        lastReadSeq = shared.startSeq
        readings.reserveCapacity(1024)
        client.delegate = self
    }

    /// Runs until a stop is requested (and the last acknowledgements are
    /// flushed) or a fatal error. Called on the dedicated network thread.
    func run() {
        defer {
            shared.connected.store(false, ordering: .relaxed)
            shared.metrics.connected.record(0)
            shared.producerFinished.store(true, ordering: .releasing)
            shared.ringSignal.signal()
        }
        var nextAttempt = IngestClock.monotonicMillis()
        while !shared.stopRequested.load(ordering: .acquiring) {
            switch state {
            case .down:
                // Never open a new session while read messages are uncommitted.
                guard waitForCommit(lastReadSeq) else { return }
                let now = IngestClock.monotonicMillis()
                if now < nextAttempt {
                    _ = shared.stopSignal.wait(timeoutMs: Int32(clamping: nextAttempt - now))
                    continue
                }
                let rc = client.connect()
                switch MosquittoErrors.classify(rc, doing: "connect to \(client.options.url)") {
                case .ok:
                    state = .connecting
                    connackDeadline = IngestClock.monotonicMillis() + 15_000
                case .transient(let e):
                    noteDown(e.description)
                    nextAttempt = IngestClock.monotonicMillis() + backoff.next()
                case .fatal(let e):
                    shared.fail(e)
                    return
                }
            case .connecting, .up:
                if state == .connecting && IngestClock.monotonicMillis() > connackDeadline {
                    noteDown("no CONNACK from \(client.options.url) within 15 s")
                    client.disconnect()
                    state = .down
                    nextAttempt = IngestClock.monotonicMillis() + backoff.next()
                    continue
                }
                cycle()
                if state == .down { nextAttempt = IngestClock.monotonicMillis() + backoff.next() }
            }
        }
        shutdown()
    }

    /// One poll → write → read burst → commit wait → write cycle.
    private func cycle() {
        let fd = client.socket
        guard fd >= 0 else { connectionLost("socket closed"); return }
        pollFDs[0] = pollfd(fd: fd, events: Int16(POLLIN) | (client.wantWrite ? Int16(POLLOUT) : 0), revents: 0)
        pollFDs[1] = pollfd(fd: shared.stopSignal.fd, events: Int16(POLLIN), revents: 0)
        let n = poll(&pollFDs, 2, 1000)
        let fds = pollFDs
        if n < 0 && errno != EINTR { connectionLost("poll failed"); return }
        if fds[0].revents & Int16(POLLOUT) != 0 {
            // Everything read so far is committed (the invariant), so writing is safe.
            if !check(client.loopWrite(), "write") { return }
        }
        if fds[0].revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
            let before = lastReadSeq
            if !readBurst() { return }
            if lastReadSeq != before {
                guard waitForCommit(lastReadSeq) else { return }
                if !check(client.loopWrite(), "write") { return }
            }
        }
        if !check(client.loopMisc(), "keepalive") { return }
    }

    /// Reads packets until the burst cap, the burst deadline
    /// (`ingest.batch_max_delay` after its start), or the socket stays dry
    /// for `lingerNanos`. The short linger lets one commit cover a whole
    /// window of messages the broker is still writing, instead of one
    /// transaction per TCP segment; when the broker's inflight window is
    /// full it stops sending, the socket stays dry, and the burst ends —
    /// so holding acknowledgements back cannot deadlock.
    /// - Returns: `false` when the connection was lost.
    private func readBurst() -> Bool {
        var packets = 0
        receivedInBurst = 0
        defer {
            if receivedInBurst > 0 { shared.metrics.messagesReceived.increment(by: receivedInBurst) }
        }
        let deadline = IngestClock.monotonicNanos() + burstMaxNanos
        while packets < burstCap {
            klaster_errno_clear()
            let rc = client.loopRead()
            if rc != MosquittoClient.success {
                return check(rc, "read")
            }
            if state == .down { return false }
            if klaster_errno_would_block() != 0 {
                // Dry: linger briefly for the rest of the window, unless nothing was read yet.
                if receivedInBurst == 0 || !lingerForData(until: deadline) { break }
                continue
            }
            packets += 1
        }
        return state != .down
    }

    /// Waits up to `lingerNanos` (never past `deadline`) for the socket to
    /// become readable. - Returns: `true` when there is data to read.
    private func lingerForData(until deadline: Int64) -> Bool {
        let now = IngestClock.monotonicNanos()
        let wait = min(lingerNanos, deadline - now)
        guard wait > 0 else { return false }
        var p = pollfd(fd: client.socket, events: Int16(POLLIN), revents: 0)
        // poll(2) counts milliseconds: round up, so a linger is at least 1 ms.
        let ms = Int32((wait + 999_999) / 1_000_000)
        return poll(&p, 1, ms) > 0 && p.revents & Int16(POLLIN) != 0
    }

    /// Asks the aggregator to commit through `seq` and waits until it has.
    /// - Returns: `false` when the aggregator failed (nothing may be acknowledged).
    private func waitForCommit(_ seq: UInt64) -> Bool {
        guard shared.committedSeq.load(ordering: .acquiring) < seq else { return true }
        shared.flushRequest.store(seq, ordering: .releasing)
        shared.ringSignal.signal()
        while shared.committedSeq.load(ordering: .acquiring) < seq {
            if shared.failed { return false }
            shared.commitSignal.wait(timeoutMs: 100)
        }
        return true
    }

    /// Stop: everything read gets committed and acknowledged, then the
    /// connection closes without losing those acknowledgements.
    ///
    /// `mosquitto_disconnect` would close the socket at once; if the broker
    /// has sent more (unread) messages by then, Linux answers the close with
    /// a RST and the broker discards our last PUBACKs still in its receive
    /// queue. So: write the PUBACKs (and, without TLS, a DISCONNECT packet),
    /// half-close (FIN after the data), and read to EOF, discarding — those
    /// unread messages are unacknowledged and the broker redelivers them.
    private func shutdown() {
        logger.debug("shutdown", metadata: ["last_read_seq": "\(lastReadSeq)", "state": "\(state)", "want_write": "\(client.wantWrite)"])
        guard waitForCommit(lastReadSeq) else { return }
        let fd = client.socket
        guard state != .down, fd >= 0 else { return }
        let deadline = IngestClock.monotonicMillis() + 3_000
        while client.wantWrite && IngestClock.monotonicMillis() < deadline {
            if client.loopWrite() != MosquittoClient.success { return }
            if client.wantWrite {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 50)
            }
        }
        if client.options.tls == nil {
            // MQTT DISCONNECT (3.1.1 and 5: type 14, remaining length 0): a clean
            // end, no will message. Safe to write raw: libmosquitto's queue is empty.
            let disconnect: [UInt8] = [0xE0, 0x00]
            _ = disconnect.withUnsafeBytes { send(fd, $0.baseAddress, 2, Int32(MSG_NOSIGNAL)) }
        }
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
        var sink = [UInt8](repeating: 0, count: 65_536)
        while IngestClock.monotonicMillis() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) >= 0 else { break }
            let n = sink.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 { break }                                   // the broker closed its side: all read
            if n < 0 && errno != EAGAIN && errno != EINTR { break }
        }
        state = .down
        shared.connected.store(false, ordering: .relaxed)
        shared.metrics.connected.record(0)
        logger.info("disconnected from broker", metadata: ["committed_seq": "\(shared.committedSeq.load(ordering: .acquiring))"])
    }

    /// Handles a non-zero return code of a loop call.
    /// - Returns: `true` when the connection is still usable.
    private func check(_ rc: Int32, _ what: String) -> Bool {
        switch MosquittoErrors.classify(rc, doing: "MQTT \(what) on \(client.options.url)") {
        case .ok: return true
        case .transient(let e):
            connectionLost(e.description)
            return false
        case .fatal(let e):
            shared.fail(e)
            state = .down
            return false
        }
    }

    private func connectionLost(_ why: String) {
        if state != .down {
            state = .down
            noteDown(why)
        }
    }

    /// Logs a state change once (not every retry) and updates the metrics.
    private func noteDown(_ why: String) {
        let wasConnected = shared.connected.exchange(false, ordering: .relaxed)
        shared.metrics.connected.record(0)
        if wasConnected || lastError != why {
            logger.warning("broker unavailable; retrying with backoff", metadata: ["reason": "\(why)", "url": "\(client.options.url)"])
            lastError = why
        }
        state = .down
    }

    // MARK: MosquittoDelegate (called inside loop_read/loop_write on this thread)

    func mosquittoConnected(rc: Int32, sessionPresent: Bool) {
        switch MosquittoErrors.classifyConnack(rc, url: client.options.url.description) {
        case .ok:
            state = .up
            backoff.reset()
            if everConnected { shared.metrics.reconnects.increment() }
            everConnected = true
            shared.connected.store(true, ordering: .relaxed)
            shared.metrics.connected.record(1)
            lastError = nil
            logger.info("connected to broker", metadata: [
                "url": "\(client.options.url)", "session_present": "\(sessionPresent)", "topics": "\(topics)",
            ])
            // Resubscribe on every connect: harmless with a kept session, needed without one.
            for t in topics {
                let src = client.subscribe(t, qos: qos)
                if case .fatal(let e) = MosquittoErrors.classify(src, doing: "subscribe to \(t)") { shared.fail(e) }
            }
        case .transient(let e):
            noteDown(e.description)
            client.disconnect()
        case .fatal(let e):
            shared.fail(e)
            state = .down
        }
    }

    func mosquittoDisconnected(rc: Int32) {
        if rc == 0 && shared.stopRequested.load(ordering: .relaxed) {
            // Our own DISCONNECT at shutdown: not an outage.
            state = .down
            shared.connected.store(false, ordering: .relaxed)
            shared.metrics.connected.record(0)
            return
        }
        if state != .down { noteDown(rc == 0 ? "disconnected" : MosquittoErrors.describe(rc)) }
    }

    func mosquittoSubscribed(mid: Int32, grantedQoS: [Int32]) {
        if grantedQoS.contains(where: { $0 >= 128 }) {
            shared.fail(KlasterError(.noPermission, "broker \(client.options.url) refused the subscription to \(topics)",
                                     hint: "check the broker ACL for this user"))
            return
        }
        logger.info("subscribed", metadata: ["topics": "\(topics)", "granted_qos": "\(grantedQoS)"])
    }

    func mosquittoPublished(mid: Int32) {}

    /// One message: decode, then push its events into the ring in order:
    /// new series, then readings (or one dead letter), then end-of-message.
    func mosquittoMessage(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        receivedInBurst += 1
        let receivedAt = IngestClock.wallMillis()
        readings.removeAll(keepingCapacity: true)
        let rejection = decoder.decode(topic: topic, payload: payload, receivedAt: receivedAt, into: &readings)
        // New series first: the aggregator must know them before their readings.
        for s in decoder.takeNewSeries() {
            shared.newSeries.append(s)
            push(.newSeriesMarker)
        }
        for r in readings { push(.reading(r)) }
        if let rejection {
            // Kept whole, except a payload over the size limit, kept up to the limit.
            let stored = rejection.reason == .tooLarge ? Array(payload.prefix(maxPayloadBytes)) : Array(payload)
            shared.deadLetters.append(DeadLetter(topic: String(decoding: topic, as: UTF8.self), payload: stored,
                                                 receivedAt: receivedAt, reason: rejection.reason, detail: rejection.detail))
            push(.deadLetterMarker)
        }
        lastReadSeq += 1
        push(.end(lastReadSeq))
    }

    /// Back-pressure: waits while the ring is full, never drops.
    @inline(__always)
    private func push(_ e: IngestEvent) {
        if shared.ring.tryPush(e) { return }
        shared.ringSignal.signal()
        let shared = self.shared
        _ = shared.ring.push(e, shouldGiveUp: { shared.failed })
    }
}
