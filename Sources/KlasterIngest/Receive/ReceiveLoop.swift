import CLinux
import KlasterCore
import KlasterMQTT
import KlasterSparkplug
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
    /// The session's states and rules (connect, CONNACK timeout, backoff,
    /// reporting, draining); this loop performs its actions.
    private var machine: ConnectionStateMachine
    private let connector = Connector()

    /// Sequence number of the last message read (and pushed to the ring).
    private var lastReadSeq: UInt64
    private var readings: [Reading] = []
    private var receivedInBurst: Int64 = 0
    private var takeover = SessionTakeover()
    private var pollFDs = [pollfd](repeating: pollfd(), count: 2)
    /// `spBv1.0/<group>/#` per `[sparkplug] groups` (never `$share`d: alias tables are per process).
    private let sparkplugTopics: [String]
    /// `[sparkplug] host_id`: publish STATE as a primary host.
    private let hostID: String?
    /// The STATE of the current connection (its CONNECT timestamp).
    private var hostState: SparkplugHostState?
    /// SUBACKs still due before the STATE birth may be published.
    private var pendingSubacks = 0
    private var effects = DecoderSideEffects()
    private var nextTick: Int64 = 0

    init(shared: IngestShared, options: MQTTConnectionOptions, config: KlasterConfig, decoder: Decoder, logger: Logger) throws(KlasterError) {
        self.shared = shared
        self.decoder = decoder
        self.logger = logger
        client = try MosquittoClient(options: options, bufferedIO: options.bufferedIO)
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
        machine = ConnectionStateMachine(backoff: ReconnectBackoff(minMillis: config.mqtt.reconnectMin, maxMillis: config.mqtt.reconnectMax),
                                         now: IngestClock.monotonicMillis())
        lastReadSeq = shared.startSeq
        readings.reserveCapacity(1024)
        sparkplugTopics = config.sparkplug.isEnabled ? config.sparkplug.groups.map(SparkplugTopic.filter(group:)) : []
        hostID = config.sparkplug.isEnabled ? config.sparkplug.hostID : nil
        client.delegate = self
    }

    private var uncommitted: Bool {
        !ConnectionStateMachine.mayWrite(lastRead: lastReadSeq, committed: shared.committedSeq.load(ordering: .acquiring))
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
        var stopSeen = false
        while true {
            if !stopSeen && shared.stopRequested.load(ordering: .acquiring) {
                stopSeen = true
                if perform(machine.stopRequested()) { return }
            }
            switch machine.state {
            case .stopped:
                return
            case .disconnected:
                if perform(machine.tick(now: IngestClock.monotonicMillis(), uncommitted: uncommitted)) { return }
            case .connecting:
                // Wake on the attempt's end or on a stop, whichever comes first.
                if let rc = connector.finished() {
                    connector.done.drain()
                    // A new socket (if the attempt got one): buffer it before the first read.
                    client.attachBufferedIO()
                    if perform(machine.connectFinished(classifyConnect(rc), now: IngestClock.monotonicMillis())) { return }
                } else {
                    waitForConnectOrStop()
                }
            case .awaitingConnack, .connected:
                if perform(machine.tick(now: IngestClock.monotonicMillis(), uncommitted: uncommitted)) { return }
                if case .awaitingConnack = machine.state { cycle() } else if case .connected = machine.state { cycle() }
            case .draining:
                shutdown()
                if perform(machine.drained()) { return }
            }
        }
    }

    /// Performs the state machine's actions. - Returns: `true` when the loop is done.
    private func perform(_ actions: [ConnectionStateMachine.Action]) -> Bool {
        var done = false
        for action in actions {
            switch action {
            case .startConnect:
                if let hostID {
                    // Sparkplug: the will is STATE offline with this CONNECT's timestamp; the birth reuses it.
                    let state = SparkplugHostState(hostID: hostID, connectTimestamp: IngestClock.wallMillis())
                    hostState = state
                    let wrc = client.setWill(topic: state.topic, payload: state.will, qos: SparkplugHostState.qos, retain: true)
                    if case .fatal(let e) = MosquittoErrors.classify(wrc, doing: "set the STATE will on \(state.topic)") {
                        shared.fail(e)
                        return true
                    }
                }
                connector.start(client)
            case .waitUntil(let t):
                let ms = max(0, t - IngestClock.monotonicMillis())
                _ = shared.stopSignal.wait(timeoutMs: Int32(clamping: ms))
            case .waitForCommit:
                guard waitForCommit(lastReadSeq) else { return true }
            case .subscribe:
                // On every connect: harmless with a kept session, needed without one.
                pendingSubacks = topics.count + sparkplugTopics.count
                for t in topics + sparkplugTopics {
                    let src = client.subscribe(t, qos: qos)
                    if case .fatal(let e) = MosquittoErrors.classify(src, doing: "subscribe to \(t)") { shared.fail(e) }
                }
            case .dropConnection:
                client.disconnect()
            case .reportDown(let reason):
                shared.connected.store(false, ordering: .relaxed)
                shared.metrics.connected.record(0)
                logger.warning("broker unavailable; retrying with backoff", metadata: ["reason": "\(reason)", "url": "\(client.options.url)"])
                if takeover.lost(at: IngestClock.monotonicNanos()) {
                    logger.error("the broker keeps closing the connection right after connecting: client id \(client.options.clientID ?? "-") is probably in use by another client (session taken over); give every klaster process its own mqtt.client_id",
                                 metadata: ["url": "\(client.options.url)", "times": "\(SessionTakeover.threshold)"])
                }
            case .reportUp(let reconnect):
                if reconnect { shared.metrics.reconnects.increment() }
                shared.connected.store(true, ordering: .relaxed)
                shared.metrics.connected.record(1)
                logger.info("connected to broker", metadata: ["url": "\(client.options.url)", "topics": "\(topics)"])
                takeover.connected(at: IngestClock.monotonicNanos())
            case .drainAndClose:
                break   // the next turn of `run` drains
            case .fail(let error):
                shared.fail(error)
            case .finish:
                done = true
            }
        }
        return done
    }

    /// Waits for the connector thread or a stop (a connect to an unreachable
    /// host can take the system's connect timeout; a stop must not).
    private func waitForConnectOrStop() {
        pollFDs[0] = pollfd(fd: connector.done.fd, events: Int16(POLLIN), revents: 0)
        pollFDs[1] = pollfd(fd: shared.stopSignal.fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&pollFDs, 2, 1000)
    }

    private func classifyConnect(_ rc: Int32) -> MosquittoConnectResult {
        switch MosquittoErrors.classify(rc, doing: "connect to \(client.options.url)") {
        case .ok: .ok
        case .transient(let e): .transient(e.description)
        case .fatal(let e): .fatal(e)
        }
    }

    /// One poll → write → read burst → commit wait → write cycle.
    ///
    /// With buffered I/O (`MosquittoClient.attachBufferedIO`) the socket is
    /// read 64 KiB at a time and the PUBACKs of a commit leave in one write:
    /// bytes already in the read buffer are invisible to poll, so they count
    /// as readable, and unsent bytes ask for POLLOUT like libmosquitto's queue.
    private func cycle() {
        let fd = client.socket
        guard fd >= 0 else { connectionLost("socket closed"); return }
        let buffered = client.bufferedInput > 0
        let wantOut = client.wantWrite || client.unsentOutput > 0
        pollFDs[0] = pollfd(fd: fd, events: Int16(POLLIN) | (wantOut ? Int16(POLLOUT) : 0), revents: 0)
        pollFDs[1] = pollfd(fd: shared.stopSignal.fd, events: Int16(POLLIN), revents: 0)
        let n = poll(&pollFDs, 2, buffered ? 0 : 1000)
        let fds = pollFDs
        if n < 0 && errno != EINTR { connectionLost("poll failed"); return }
        if fds[0].revents & Int16(POLLOUT) != 0 {
            // Everything read so far is committed (the invariant), so writing is safe.
            guard waitForCommit(lastReadSeq) else { return }
            if !write() { return }
        }
        if buffered || fds[0].revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
            let before = lastReadSeq
            if !readBurst() { return }
            if lastReadSeq != before {
                guard waitForCommit(lastReadSeq) else { return }
                if !write() { return }
            }
        }
        if !check(client.loopMisc(), "keepalive") { return }
        let now = IngestClock.wallMillis()
        if now >= nextTick {
            nextTick = now + 100
            decoder.tick(now: now)
            if decoder.hasSideEffects {
                applySideEffects()
                // Readings released by the timer (held behind a seq gap) complete as one more message.
                lastReadSeq += 1
                push(.end(lastReadSeq))
                shared.ringSignal.signal()
            }
        }
    }

    /// Carries out what the decoder asked for besides readings: dead letters
    /// of held-back messages, readings a timer released, Sparkplug commands
    /// (queued: they leave with the next write, after the commit), stale marks.
    private func applySideEffects() {
        effects.removeAll()
        decoder.takeSideEffects(into: &effects)
        for r in effects.readings { push(.reading(r)) }
        for d in effects.deadLetters {
            shared.deadLetters.append(d)
            push(.deadLetterMarker)
        }
        for c in effects.commands {
            let rc = client.publish(topic: c.topic, payload: c.payload, qos: 0, retain: false)
            if rc != MosquittoClient.success {
                logger.warning("cannot queue a Sparkplug command", metadata: ["topic": "\(c.topic)", "error": "\(MosquittoErrors.describe(rc))"])
            } else {
                logger.info("Sparkplug Rebirth requested", metadata: ["topic": "\(c.topic)"])
            }
        }
        for m in effects.staleChanges {
            shared.staleMarks.append(m)
            push(.staleMarker)
        }
    }

    /// `loopWrite`, then the write buffer's flush: the queued packets leave
    /// in one system call. Callers have waited for the commit.
    /// - Returns: `false` when the connection was lost.
    private func write() -> Bool {
        guard check(client.loopWrite(), "write") else { return false }
        switch client.flushOutput() {
        case .done, .wouldBlock:
            return true          // the rest goes on POLLOUT
        case .failed(let why):
            connectionLost("write failed: \(why)")
            return false
        }
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
            if case .disconnected = machine.state { return false }
            if klaster_errno_would_block() != 0 {
                // Dry: linger briefly for the rest of the window, unless nothing was read yet.
                if receivedInBurst == 0 || !lingerForData(until: deadline) { break }
                continue
            }
            packets += 1
        }
        if case .disconnected = machine.state { return false }
        return true
    }

    /// Waits up to `lingerNanos` (never past `deadline`) for the socket to
    /// become readable. - Returns: `true` when there is data to read.
    private func lingerForData(until deadline: Int64) -> Bool {
        if client.bufferedInput > 0 { return true }
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
        logger.debug("shutdown", metadata: ["last_read_seq": "\(lastReadSeq)", "state": "\(machine.state)", "want_write": "\(client.wantWrite)"])
        guard waitForCommit(lastReadSeq) else { return }
        let fd = client.socket
        guard fd >= 0 else { return }
        if let hostState {
            // A clean Sparkplug disconnect: STATE offline first (the will is not sent on DISCONNECT).
            _ = client.publish(topic: hostState.topic, payload: hostState.death, qos: SparkplugHostState.qos, retain: true)
        }
        let deadline = IngestClock.monotonicMillis() + 3_000
        while (client.wantWrite || client.unsentOutput > 0) && IngestClock.monotonicMillis() < deadline {
            if client.loopWrite() != MosquittoClient.success { return }
            if case .failed = client.flushOutput() { return }
            if client.wantWrite || client.unsentOutput > 0 {
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
            connectionLost(e.description)
            return false
        }
    }

    private func connectionLost(_ why: String) {
        _ = perform(machine.connectionLost(why, now: IngestClock.monotonicMillis()))
    }

    // MARK: MosquittoDelegate (called inside loop_read/loop_write on this thread)

    func mosquittoConnected(rc: Int32, sessionPresent: Bool) {
        let outcome: MosquittoConnectResult
        switch MosquittoErrors.classifyConnack(rc, url: client.options.url.description) {
        case .ok: outcome = .ok
        case .transient(let e): outcome = .transient(e.description)
        case .fatal(let e): outcome = .fatal(e)
        }
        if outcome == .ok { logger.debug("CONNACK", metadata: ["session_present": "\(sessionPresent)"]) }
        _ = perform(machine.connackReceived(outcome, now: IngestClock.monotonicMillis()))
    }

    func mosquittoDisconnected(rc: Int32) {
        if rc == 0 && shared.stopRequested.load(ordering: .relaxed) { return }   // our own DISCONNECT at shutdown
        connectionLost(rc == 0 ? "disconnected" : MosquittoErrors.describe(rc))
    }

    func mosquittoSubscribed(mid: Int32, grantedQoS: [Int32]) {
        if grantedQoS.contains(where: { $0 >= 128 }) {
            // Refused: nothing will ever arrive; stopping is the only honest answer.
            shared.fail(KlasterError(.noPermission, "broker \(client.options.url) refused the subscription to \(topics)",
                                     hint: "check the broker ACL for this user"))
            return
        }
        logger.info("subscribed", metadata: ["topics": "\(topics + sparkplugTopics)", "granted_qos": "\(grantedQoS)"])
        pendingSubacks -= 1
        if pendingSubacks == 0, let hostState {
            // Subscribed first, then the STATE birth (Sparkplug 3.0), with the CONNECT's timestamp.
            let rc = client.publish(topic: hostState.topic, payload: hostState.birth, qos: SparkplugHostState.qos, retain: true)
            if rc != MosquittoClient.success {
                logger.warning("cannot publish the Sparkplug STATE birth", metadata: ["error": "\(MosquittoErrors.describe(rc))"])
            } else {
                logger.info("Sparkplug host online", metadata: ["topic": "\(hostState.topic)", "timestamp": "\(hostState.connectTimestamp)"])
            }
        }
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
        if decoder.hasSideEffects { applySideEffects() }
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
