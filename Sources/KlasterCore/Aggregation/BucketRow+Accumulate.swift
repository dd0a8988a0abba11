/// The per-reading updates of a row being accumulated, shared by this batch's
/// partials (``PartialBuckets``) and a finalising aggregator's open buckets
/// (``OpenBuckets``).
extension BucketRow {
    /// An empty row (count 0, no first/last) that merges as the identity.
    init(empty series: SeriesID, width: BucketWidth, start: EpochMillis, isCounter: Bool) {
        self.init(series: series, width: width, start: start, count: 0, sum: 0,
                  min: .infinity, max: -.infinity, firstTs: .max, first: 0, lastTs: .min, last: 0,
                  delta: isCounter ? 0 : nil)
    }

    /// Adds one reading's value.
    mutating func add(ts: EpochMillis, value: Double) {
        count += 1
        sum += value
        if value < min { min = value }
        if value > max { max = value }
        if ts < firstTs { firstTs = ts; first = value }
        if ts > lastTs { lastTs = ts; last = value }
    }

    /// Adds (`sign` +1) or takes back (`sign` −1) one counter delta.
    mutating func add(_ d: CounterDelta, sign: Int64) {
        switch d {
        case .increase(let x): delta = (delta ?? 0) + (sign > 0 ? x : -x)
        case .implausible: implausible += sign
        }
    }
}
