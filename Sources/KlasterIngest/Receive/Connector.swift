import Foundation
import KlasterMQTT
import Synchronization

/// Runs the blocking part of a connect — name lookup, TCP, TLS, CONNECT
/// queued — on a thread of its own, so the receive loop keeps answering a
/// stop while an unreachable host takes the system's connect timeout.
///
/// One attempt at a time. While it runs, only the connector thread touches
/// the client; the receive loop waits for `done` and then reads `result`.
final class Connector: Sendable {
    /// Signalled when an attempt finished.
    let done = EventSignal()
    /// The attempt's `MOSQ_ERR_*` code; `Int32.min` while it runs. Stored
    /// with release by the connector thread after `connect()` returned,
    /// loaded with acquire by the receive loop: every write the connect made
    /// to the client happens before the loop touches the client again.
    private let result = Atomic<Int32>(Int32.min)

    /// Starts one attempt. The caller must not touch `client` until `finished()` returns a code.
    func start(_ client: MosquittoClient) {
        result.store(Int32.min, ordering: .relaxed)
        let ref = ClientReference(client)
        let thread = Thread { [self] in
            let rc = ref.client.connect()
            result.store(rc, ordering: .releasing)
            done.signal()
        }
        thread.name = "klaster-connect"
        thread.start()
    }

    /// The finished attempt's code, or `nil` while it still runs.
    func finished() -> Int32? {
        let rc = result.load(ordering: .acquiring)
        return rc == Int32.min ? nil : rc
    }
}

/// Lends the client to the connector thread for one attempt.
private final class ClientReference: @unchecked Sendable {
    // @unchecked Sendable: the receive thread does not touch the client from
    // `Connector.start` until `Connector.finished()` returns a code, and the
    // result's release store / acquire load orders the connector thread's
    // accesses before the receive thread's next ones. One thread at a time.
    let client: MosquittoClient
    init(_ client: MosquittoClient) { self.client = client }
}
