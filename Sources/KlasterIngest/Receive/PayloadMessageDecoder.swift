import KlasterCore

/// The production `MessageDecoder`: KlasterCore's `PayloadParser` with the
/// network thread's `SeriesResolver` (no allocation for a known topic).
struct PayloadMessageDecoder: MessageDecoder {
    let resolver: SeriesResolver
    let parser: PayloadParser

    init(resolver: SeriesResolver, ingest: KlasterConfig.Ingest) {
        self.resolver = resolver
        parser = PayloadParser(config: ingest)
    }

    @inline(__always)
    mutating func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis,
                         into readings: inout [Reading]) -> ParseRejection? {
        parser.parse(payload: payload, topic: topic, receivedAt: receivedAt, resolver: resolver) { readings.append($0) }.rejection
    }

    mutating func takeNewSeries() -> [SeriesInfo] { resolver.takeNewSeries() }
}
