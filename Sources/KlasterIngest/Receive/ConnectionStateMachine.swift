import KlasterCore

/// The MQTT session of the ingest daemon as a pure state machine, in
/// swift-nio's style: states carry their data, every input is a method, and
/// each returns the actions for the caller (`ReceiveLoop`) to perform. No
/// socket, no clock, no thread: the unit tests drive it directly.
///
/// The rules it encodes:
/// - **Never write before the commit.** A new connection is only opened once
///   everything read on the previous one is committed (its PUBACKs were lost
///   with it, the broker redelivers, and dedupe absorbs the redelivery), and
///   ``mayWrite(lastRead:committed:)`` is the one test the loop asks before
///   it lets libmosquitto write.
/// - **Connecting never blocks the loop.** The blocking part of a connect
///   (name lookup, TCP, TLS) runs on a connector thread; meanwhile the loop
///   still answers a stop at once.
/// - **A silent broker is a lost connection.** No CONNACK within
///   `connackTimeout` of the TCP connect → drop, back off, retry.
/// - **A state change is reported once**, not on every retry.
/// - **A stop drains**: connected → commit and acknowledge everything read,
///   then close cleanly; not connected → finish at once.
struct ConnectionStateMachine {
    enum State: Equatable {
        /// Not connected; the next attempt is due at `retryAt` (monotonic ms).
        case disconnected(retryAt: Int64)
        /// The connector thread is running a connect that began at `since`.
        case connecting(since: Int64)
        /// TCP (and TLS) are up and CONNECT is queued; CONNACK is due by `deadline`.
        case awaitingConnack(deadline: Int64)
        /// The session is up and subscribed.
        case connected(since: Int64)
        /// A stop was requested while connected: draining before the close.
        case draining
        /// Done: the loop returns.
        case stopped
    }

    enum Action: Equatable {
        /// Start the blocking connect on the connector thread.
        case startConnect
        /// Nothing to do before `until` (monotonic ms), unless woken.
        case waitUntil(Int64)
        /// Hold off: messages read are not committed yet.
        case waitForCommit
        /// Queue the SUBSCRIBEs (on every connect: a kept session needs none, a new one does).
        case subscribe
        /// Close the socket without a DISCONNECT (the connection is dead or useless).
        case dropConnection
        /// Log that the broker is unavailable (and why), and record it in the metrics.
        case reportDown(reason: String)
        /// Log that the session is up, and record it in the metrics.
        case reportUp(reconnect: Bool)
        /// Commit and acknowledge everything read, then close cleanly.
        case drainAndClose
        /// Stop the daemon with this error (nothing more can help).
        case fail(KlasterError)
        /// The loop is done.
        case finish
    }

    private(set) var state: State
    private var backoff: ReconnectBackoff
    private var rng: any RandomNumberGenerator
    /// The reason last reported down (a repeat of it is not reported again).
    private var lastReportedDown: String?
    private var everConnected = false
    let connackTimeout: Int64

    /// - Parameters:
    ///   - backoff: Reconnect delays (`mqtt.reconnect_min` … `reconnect_max`).
    ///   - connackTimeout: How long a broker may take to answer CONNECT, ms.
    ///   - now: Monotonic ms; the first attempt is due at once.
    ///   - rng: The backoff's jitter (seeded in tests).
    init(backoff: ReconnectBackoff, connackTimeout: Int64 = 15_000, now: Int64,
         rng: any RandomNumberGenerator = SystemRandomNumberGenerator()) {
        self.backoff = backoff
        self.connackTimeout = connackTimeout
        self.rng = rng
        state = .disconnected(retryAt: now)
    }

    /// The one rule of the ack path: libmosquitto may write (PUBACKs, PINGREQ,
    /// SUBSCRIBE) only when everything read so far is committed.
    static func mayWrite(lastRead: UInt64, committed: UInt64) -> Bool {
        committed >= lastRead
    }

    /// Time passed (or the loop woke up).
    /// - Parameter uncommitted: Whether messages read are still waiting for their commit.
    mutating func tick(now: Int64, uncommitted: Bool) -> [Action] {
        switch state {
        case .disconnected(let retryAt):
            if uncommitted { return [.waitForCommit] }
            if now < retryAt { return [.waitUntil(retryAt)] }
            state = .connecting(since: now)
            return [.startConnect]
        case .awaitingConnack(let deadline):
            guard now > deadline else { return [] }
            return lose("no CONNACK within \(connackTimeout / 1000) s", now: now, drop: true)
        case .connecting, .connected, .draining, .stopped:
            return []
        }
    }

    /// The connector thread's connect returned.
    mutating func connectFinished(_ outcome: MosquittoConnectResult, now: Int64) -> [Action] {
        guard case .connecting = state else { return outcome == .ok ? [.dropConnection] : [] }
        switch outcome {
        case .ok:
            state = .awaitingConnack(deadline: now + connackTimeout)
            return []
        case .transient(let reason):
            return lose(reason, now: now, drop: false)
        case .fatal(let error):
            state = .stopped
            return [.fail(error), .finish]
        }
    }

    /// CONNACK arrived.
    mutating func connackReceived(_ outcome: MosquittoConnectResult, now: Int64) -> [Action] {
        guard case .awaitingConnack = state else { return [] }
        switch outcome {
        case .ok:
            state = .connected(since: now)
            backoff.reset()
            lastReportedDown = nil
            let reconnect = everConnected
            everConnected = true
            return [.reportUp(reconnect: reconnect), .subscribe]
        case .transient(let reason):
            return lose(reason, now: now, drop: true)
        case .fatal(let error):
            state = .stopped
            return [.fail(error), .dropConnection, .finish]
        }
    }

    /// The connection broke (read/write error, EOF, keepalive timeout).
    mutating func connectionLost(_ reason: String, now: Int64) -> [Action] {
        switch state {
        case .awaitingConnack, .connected:
            return lose(reason, now: now, drop: true)
        case .draining:
            // Nothing more can be acknowledged: the broker redelivers the rest.
            state = .stopped
            return [.finish]
        case .disconnected, .connecting, .stopped:
            return []
        }
    }

    /// SIGTERM, `--max-messages`, or a fatal error elsewhere.
    mutating func stopRequested() -> [Action] {
        switch state {
        case .connected, .awaitingConnack:
            state = .draining
            return [.drainAndClose]
        case .disconnected, .connecting:
            // A connect still running on its thread is abandoned: nothing
            // was read on it, so nothing is left to acknowledge.
            state = .stopped
            return [.finish]
        case .draining, .stopped:
            return []
        }
    }

    /// The drain finished (everything read committed and acknowledged, socket closed).
    mutating func drained() -> [Action] {
        state = .stopped
        return [.finish]
    }

    private mutating func lose(_ reason: String, now: Int64, drop: Bool) -> [Action] {
        state = .disconnected(retryAt: now + backoff.next(using: &rng))
        var actions: [Action] = drop ? [.dropConnection] : []
        if lastReportedDown != reason {
            lastReportedDown = reason
            actions.append(.reportDown(reason: reason))
        }
        return actions
    }
}

/// What a connect (or a CONNACK) came to, classified for the state machine.
enum MosquittoConnectResult: Equatable {
    case ok
    /// Worth retrying with backoff; the reason is logged once.
    case transient(String)
    /// Retrying cannot help (refused credentials, a TLS failure, a bad option).
    case fatal(KlasterError)
}
