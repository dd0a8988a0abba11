import KlasterCore
import KlasterSparkplug

/// What a decoder wants done besides the readings of the message it just
/// decoded: Sparkplug's Rebirth commands to publish, dead letters of messages
/// it had held back, stale marks, and readings released by a timer.
typealias DecoderSideEffects = SparkplugHost.Output

/// The daemon's `MessageDecoder`: Sparkplug B topics (`spBv1.0/…`) go to the
/// `SparkplugHost` when `[sparkplug]` is configured, every other topic to
/// `PayloadParser` (JSON, bare numbers, line protocol). Both share the
/// network thread's `SeriesResolver`, so JSON and Sparkplug series live in
/// one id space, on one connection.
struct IngestMessageDecoder: MessageDecoder {
    private var json: PayloadMessageDecoder
    private let sparkplug: SparkplugHost?
    private var pending = DecoderSideEffects()
    private let maxPayloadBytes: Int

    init(resolver: SeriesResolver, config: KlasterConfig) {
        json = PayloadMessageDecoder(resolver: resolver, ingest: config.ingest)
        sparkplug = config.sparkplug.isEnabled ? SparkplugHost(resolver: resolver, options: SparkplugHost.Options(config: config)) : nil
        maxPayloadBytes = config.ingest.maxPayloadBytes
    }

    /// `spBv1.0/` — the Sparkplug B namespace.
    private static let namespace: [UInt8] = Array("spBv1.0/".utf8)

    @inline(__always)
    private static func isSparkplug(_ topic: UnsafeRawBufferPointer) -> Bool {
        guard topic.count > namespace.count else { return false }
        for i in 0..<namespace.count where topic[i] != namespace[i] { return false }
        return true
    }

    @inline(__always)
    mutating func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis,
                         into readings: inout [Reading]) -> ParseRejection? {
        guard let sparkplug, Self.isSparkplug(topic) else {
            return json.decode(topic: topic, payload: payload, receivedAt: receivedAt, into: &readings)
        }
        if payload.count > maxPayloadBytes {
            return ParseRejection(.tooLarge, "payload is \(payload.count) bytes, limit \(maxPayloadBytes)")
        }
        let rejection = sparkplug.receive(topic: topic, payload: payload, receivedAt: receivedAt, into: &pending)
        readings.append(contentsOf: pending.readings)
        pending.readings.removeAll(keepingCapacity: true)
        return rejection
    }

    mutating func takeNewSeries() -> [SeriesInfo] { json.takeNewSeries() }

    var hasSideEffects: Bool { !pending.isEmpty }

    mutating func takeSideEffects(into effects: inout DecoderSideEffects) {
        swap(&effects, &pending)
        pending.removeAll()
    }

    mutating func tick(now: EpochMillis) {
        sparkplug?.tick(now: now, into: &pending)
    }
}
