/// A rejected message: kept whole, with why, never dropped silently.
public struct DeadLetter: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var receivedAt: EpochMillis
    public var reason: RejectReason
    /// One human line: what was wrong, where (e.g. "element 3: v is a string").
    public var detail: String

    public init(topic: String, payload: [UInt8], receivedAt: EpochMillis, reason: RejectReason, detail: String) {
        self.topic = topic
        self.payload = payload
        self.receivedAt = receivedAt
        self.reason = reason
        self.detail = detail
    }
}
