/// Recognises another client using our client id. MQTT 3.1.1 gives no
/// reason when the broker closes a connection, but a "session taken over"
/// has a shape: the broker drops us right after every connect (the other
/// client reconnects and takes the session back), again and again. Each
/// process then sees only "The connection was lost" — 29 times in the
/// issue's reproduction — while both write the wrong buckets.
///
/// A state machine without I/O: the receive loop reports connects and
/// losses with their monotonic time and logs what `lost(at:)` returns.
struct SessionTakeover {
    /// A loss this soon after its connect counts as "dropped right away".
    static let quickLossNanos: Int64 = 5_000_000_000
    /// This many quick losses in a row are the pattern.
    static let threshold = 3

    private var connectedAt: Int64?
    private var quickLosses = 0

    /// The connection is up (CONNACK accepted).
    mutating func connected(at now: Int64) {
        connectedAt = now
    }

    /// The connection was lost.
    /// - Returns: `true` once per `threshold` consecutive quick losses: the
    ///   moment to report that the client id is probably in use elsewhere.
    mutating func lost(at now: Int64) -> Bool {
        guard let since = connectedAt else { return false }
        connectedAt = nil
        if now - since < Self.quickLossNanos {
            quickLosses += 1
        } else {
            quickLosses = 0
        }
        if quickLosses >= Self.threshold {
            quickLosses = 0
            return true
        }
        return false
    }
}
