/// What a finalising aggregator keeps per series beside ``SeriesState``.
/// The fields a reading touches come first (one cache line).
struct OpenSeries {
    /// Buckets starting before this are final (stored); a reading older than
    /// it is late whatever the window says.
    var finalUntil: EpochMillis = .min
    /// The frontier can move once the series' newest reading reaches this
    /// (`finalUntil` + one finest width + the lateness; `.min` before the first
    /// frontier, `.max` while the series is in `due`).
    var checkAt: EpochMillis = .min
    /// The aggregator clock when the last reading arrived.
    var lastSeen: EpochMillis = .min
    /// The finest-width buckets from `finalUntil` on.
    var buckets = OpenBuckets()
    /// The newest aggregated reading before `finalUntil`.
    var anchor: SeriesFrontier.Anchor?
}
