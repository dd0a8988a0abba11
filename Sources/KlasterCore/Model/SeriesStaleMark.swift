/// A series going stale (its Sparkplug edge node or device died: NDEATH,
/// DDEATH) or fresh again (its BIRTH). Stale series are shown by
/// `klaster series`, and alert rules on them report UNKNOWN.
public struct SeriesStaleMark: Sendable, Equatable {
    public var series: SeriesID
    public var stale: Bool
    /// When (receive time of the DEATH or BIRTH), epoch ms.
    public var at: EpochMillis

    public init(series: SeriesID, stale: Bool, at: EpochMillis) {
        self.series = series
        self.stale = stale
        self.at = at
    }
}
