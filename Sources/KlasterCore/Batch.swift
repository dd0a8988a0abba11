/// A stored bucket width (`1m`, `15m`, `1h`, `1d`), aligned in UTC:
/// `start = floor(ts / width) * width`.
public struct BucketWidth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let millis: Int64

    public init(millis: Int64) {
        precondition(millis > 0, "bucket width must be positive")
        self.millis = millis
    }

    public static let minute = BucketWidth(millis: 60_000)
    public static let quarterHour = BucketWidth(millis: 900_000)
    public static let hour = BucketWidth(millis: 3_600_000)
    public static let day = BucketWidth(millis: 86_400_000)
    public static let defaults: [BucketWidth] = [.minute, .quarterHour, .hour, .day]

    /// Start of the bucket holding `ts` (floor division, correct for negative ts).
    @inlinable
    public func start(of ts: EpochMillis) -> EpochMillis {
        let q = ts / millis
        return (ts % millis < 0 ? q - 1 : q) * millis
    }

    /// Short name as used in config and output: `1m`, `15m`, `1h`, `1d`, `90s`, `500ms`.
    public var description: String {
        if millis % 86_400_000 == 0 { return "\(millis / 86_400_000)d" }
        if millis % 3_600_000 == 0 { return "\(millis / 3_600_000)h" }
        if millis % 60_000 == 0 { return "\(millis / 60_000)m" }
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        return "\(millis)ms"
    }

    public static func < (a: BucketWidth, b: BucketWidth) -> Bool { a.millis < b.millis }
}

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

/// Why a message (or one reading in it) was rejected. The raw value is the
/// reason code stored in the dead-letter table and shown by `klaster stats`.
public enum RejectReason: String, Sendable, CaseIterable, Codable {
    case malformedJSON = "malformed_json"
    case malformedLineProtocol = "malformed_line_protocol"
    case missingTs = "missing_ts"
    case missingValue = "missing_value"
    case nonFinite = "non_finite"
    case wrongType = "wrong_type"
    case badTimestamp = "bad_timestamp"
    case futureTs = "future_ts"
    case badQuality = "bad_quality"
    case badTopic = "bad_topic"
    case tooLarge = "too_large"
    case tooDeep = "too_deep"
    case invalidUTF8 = "invalid_utf8"
    case empty = "empty"
}

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

/// Running totals that the store adds to its `counters` table with each batch.
public struct IngestCounters: Sendable, Equatable {
    /// MQTT messages (or import records) processed, whatever their outcome.
    public var messages: Int64 = 0
    /// Readings stored raw: aggregated ones, quality `bad` ones and late ones
    /// (duplicates are not counted here).
    public var readings: Int64 = 0
    /// Readings whose (series, ts) was already seen; counted, not aggregated.
    public var duplicates: Int64 = 0
    /// Readings older than `allowed_lateness` behind their series' newest:
    /// stored raw, not aggregated until `klaster db rebuild`.
    public var late: Int64 = 0
    /// Counter increases rejected as implausible.
    public var implausible: Int64 = 0
    public var deadLetters: [RejectReason: Int64] = [:]

    public init() {}

    public mutating func add(_ o: IngestCounters) {
        messages += o.messages
        readings += o.readings
        duplicates += o.duplicates
        late += o.late
        implausible += o.implausible
        for (k, v) in o.deadLetters { deadLetters[k, default: 0] += v }
    }

    public var deadLetterTotal: Int64 { deadLetters.values.reduce(0, +) }
}

/// What the aggregator hands the store: everything one SQLite transaction
/// applies. After the commit, messages up to `lastMessageSeq` may be
/// acknowledged to the broker.
public struct Batch: Sendable {
    /// Sequence number (assigned by the ingest loop, increasing) of the last
    /// message whose readings and dead letters are all in this batch or earlier.
    public var lastMessageSeq: UInt64
    /// Series first seen since the previous batch (insert before readings).
    public var newSeries: [SeriesInfo] = []
    /// Raw readings to insert (insert-or-ignore by (series, ts)), including
    /// late ones and quality `bad` ones.
    public var readings: [Reading] = []
    /// Bucket partials to merge (upsert) into the width tables.
    public var buckets: [BucketRow] = []
    public var deadLetters: [DeadLetter] = []
    public var counters = IngestCounters()

    public init(lastMessageSeq: UInt64) {
        self.lastMessageSeq = lastMessageSeq
    }

    public var isEmpty: Bool {
        newSeries.isEmpty && readings.isEmpty && buckets.isEmpty && deadLetters.isEmpty && counters == IngestCounters()
    }
}
