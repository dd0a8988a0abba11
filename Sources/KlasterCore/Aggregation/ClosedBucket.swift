/// A bucket that has become final: the newest reading of its series is more
/// than `allowedLateness` past the bucket's end, so no later reading can
/// change it any more (later ones are late and stored raw only). Alert rules
/// evaluate on these.
public struct ClosedBucket: Sendable, Hashable {
    public var series: SeriesID
    public var width: BucketWidth
    public var start: EpochMillis

    public init(series: SeriesID, width: BucketWidth, start: EpochMillis) {
        self.series = series
        self.width = width
        self.start = start
    }
}

/// Per (series, width): the newest bucket that received data which has since
/// left the series' lateness window, not yet reported as closed.
struct PendingClose {
    var start: EpochMillis = 0
    var end: EpochMillis = 0
    var isSet = false
}
