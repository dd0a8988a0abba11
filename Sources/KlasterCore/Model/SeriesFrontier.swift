/// Where one series' final buckets end: every bucket that starts before
/// `finalUntil` is complete in the store's bucket tables and no reading can
/// change it any more (a reading older than that is late). From `finalUntil`
/// on, the series' buckets are computed from its raw readings — by the
/// aggregator in memory, by a reader at query time, and by a restarted
/// daemon — starting from the `anchor`, the newest aggregated reading before
/// `finalUntil` (the predecessor of the first counter delta after it).
///
/// `finalUntil` is always a multiple of the finest bucket width.
public struct SeriesFrontier: Sendable, Equatable {
    public var series: SeriesID
    public var finalUntil: EpochMillis
    /// The newest aggregated (quality not `bad`) reading before `finalUntil`, if any.
    public var anchor: Anchor?

    /// A reading reduced to what a counter delta needs.
    public struct Anchor: Sendable, Equatable {
        public var ts: EpochMillis
        public var value: Double
        public init(ts: EpochMillis, value: Double) {
            self.ts = ts
            self.value = value
        }
    }

    public init(series: SeriesID, finalUntil: EpochMillis, anchor: Anchor?) {
        self.series = series
        self.finalUntil = finalUntil
        self.anchor = anchor
    }
}
