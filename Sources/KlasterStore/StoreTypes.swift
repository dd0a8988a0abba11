import KlasterCore

/// One output bucket of `Store.buckets`: the series and its aggregate.
public struct SeriesBucket: Sendable, Equatable {
    public var series: SeriesInfo
    public var row: BucketRow

    public init(series: SeriesInfo, row: BucketRow) {
        self.series = series
        self.row = row
    }
}

/// A series with what the store holds of it (`klaster series`).
public struct SeriesSummary: Sendable, Equatable {
    public var info: SeriesInfo
    /// Timestamps of the first and last aggregated reading; `nil` if none.
    public var firstTs: EpochMillis?
    public var lastTs: EpochMillis?
    /// Aggregated readings (bad-quality and late ones excluded).
    public var count: Int64

    /// Since when the series is stale (its Sparkplug edge node or device died); `nil` when live.
    public var staleSince: EpochMillis?

    public init(info: SeriesInfo, firstTs: EpochMillis? = nil, lastTs: EpochMillis? = nil, count: Int64,
                staleSince: EpochMillis? = nil) {
        self.info = info
        self.firstTs = firstTs
        self.lastTs = lastTs
        self.count = count
        self.staleSince = staleSince
    }

    /// What the final buckets of one width hold of a series.
    public struct Totals: Sendable, Equatable {
        public var firstTs: EpochMillis?
        public var lastTs: EpochMillis?
        public var count: Int64
        public init(firstTs: EpochMillis? = nil, lastTs: EpochMillis? = nil, count: Int64 = 0) {
            self.firstTs = firstTs
            self.lastTs = lastTs
            self.count = count
        }
    }
}

/// Totals for `klaster stats` (its JSON field names in comments).
public struct StoreStats: Sendable, Equatable {
    /// `messages`: MQTT messages / import records processed.
    public var messages: Int64
    /// `readings`: distinct readings stored (each (series, ts) once).
    public var readings: Int64
    /// `duplicates`: readings whose (series, ts) was already seen.
    public var duplicates: Int64
    /// `late`: readings too late to aggregate (fold in with `db rebuild`).
    public var late: Int64
    /// Counter increases rejected as implausible.
    public var implausible: Int64
    /// `deadletter_by_reason`.
    public var deadLettersByReason: [String: Int64]
    /// `series`.
    public var series: Int64
    /// `buckets`: bucket rows over all widths.
    public var buckets: Int64
    /// Bucket rows per width.
    public var bucketsByWidth: [BucketWidth: Int64]
    /// Highest committed message sequence.
    public var committedSeq: UInt64

    /// `deadletter`: all dead letters.
    public var deadLetters: Int64 { deadLettersByReason.values.reduce(0, +) }
}

/// A dead letter as stored, with its row id. `reason` is the stored code
/// (a `RejectReason` raw value from this or another Klaster version).
public struct StoredDeadLetter: Sendable, Equatable {
    public var id: Int64
    public var topic: String
    public var payload: [UInt8]
    public var receivedAt: EpochMillis
    public var reason: String
    public var detail: String
}
