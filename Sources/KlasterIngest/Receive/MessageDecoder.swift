import KlasterCore

/// Turns one MQTT message into readings on the network thread: the topic
/// resolves to a series, the payload parses. Generic parameter of
/// `ReceiveLoop`, so the per-message call is static, not dynamic.
protocol MessageDecoder {
    /// Decodes a message, appending its valid readings to `readings`.
    /// - Returns: `nil` when the whole message was valid, else the first
    ///   problem: the caller dead-letters the whole message (readings that
    ///   were valid on their own are kept; dedupe makes a replay harmless).
    mutating func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis,
                         into readings: inout [Reading]) -> ParseRejection?
    /// Series created since the last call (for the aggregator and the store).
    mutating func takeNewSeries() -> [SeriesInfo]
    /// True when `takeSideEffects` has something (checked after every message: cheap).
    var hasSideEffects: Bool { get }
    /// Moves what the decoder wants done besides readings into `effects`
    /// (which the caller has emptied).
    mutating func takeSideEffects(into effects: inout DecoderSideEffects)
    /// Lets time pass (Sparkplug's reorder timeout); results come through `takeSideEffects`.
    mutating func tick(now: EpochMillis)
}

extension MessageDecoder {
    var hasSideEffects: Bool { false }
    mutating func takeSideEffects(into effects: inout DecoderSideEffects) {}
    mutating func tick(now: EpochMillis) {}
}
