/// One bucket's aggregate — or a *partial* of it: rows merge associatively
/// (count, sum, delta and implausible add; min/max compare; first/last by ts),
/// which is how the store upserts them and how buckets of several processes or
/// of several batches combine.
///
/// A row with `count == 0` carries only a `delta` correction (a reading that
/// arrived late, within the lateness window, moved an increase between
/// buckets); its `min` is +inf, `max` -inf, `firstTs` `.max`, `lastTs` `.min`,
/// so merging it changes nothing else.
public struct BucketRow: Sendable, Equatable {
    public var series: SeriesID
    public var width: BucketWidth
    public var start: EpochMillis
    public var count: Int64
    public var sum: Double
    public var min: Double
    public var max: Double
    public var firstTs: EpochMillis
    public var first: Double
    public var lastTs: EpochMillis
    public var last: Double
    /// Sum of counter increases that belong to this bucket; `nil` for gauges.
    public var delta: Double?
    /// Increases rejected as implausible (above `max_rate`) in this bucket.
    public var implausible: Int64

    public init(series: SeriesID, width: BucketWidth, start: EpochMillis, count: Int64, sum: Double,
                min: Double, max: Double, firstTs: EpochMillis, first: Double,
                lastTs: EpochMillis, last: Double, delta: Double?, implausible: Int64 = 0) {
        self.series = series
        self.width = width
        self.start = start
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.firstTs = firstTs
        self.first = first
        self.lastTs = lastTs
        self.last = last
        self.delta = delta
        self.implausible = implausible
    }

    /// `sum / count`, or `nil` for an empty (delta-only) row.
    public var mean: Double? { count > 0 ? sum / Double(count) : nil }

    /// Merges another partial of the same (series, width, start) into this one.
    public mutating func merge(_ o: BucketRow) {
        count += o.count
        sum += o.sum
        if o.min < min { min = o.min }
        if o.max > max { max = o.max }
        if o.count > 0 {
            if count == o.count || o.firstTs < firstTs { firstTs = o.firstTs; first = o.first }
            if count == o.count || o.lastTs > lastTs { lastTs = o.lastTs; last = o.last }
        }
        switch (delta, o.delta) {
        case let (a?, b?): delta = a + b
        case (nil, let b?): delta = b
        default: break
        }
        implausible += o.implausible
    }
}
