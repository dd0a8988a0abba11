import KlasterCore

/// One-call forms of the reader's and writer's operations, each in its own
/// transaction — for commands that ask one thing. Ask several things that
/// must agree inside one `read {}` instead.
extension Store {
    /// Retention with the default chunk of 5,000 rows per transaction.
    @discardableResult
    public func deleteExpired(now: EpochMillis, rawRetention: Int64, bucketRetention: [Int64: Int64]) throws(KlasterError) -> Int {
        try deleteExpired(now: now, rawRetention: rawRetention, bucketRetention: bucketRetention, batchSize: 5_000)
    }

    @discardableResult
    public func apply(_ batch: Batch) throws(KlasterError) -> UInt64 {
        try write { (db: any StoreWriter) throws(KlasterError) -> UInt64 in try db.apply(batch) }
    }

    @discardableResult
    public func rebuild(from: EpochMillis, to: EpochMillis) throws(KlasterError) -> Int {
        try write { (db: any StoreWriter) throws(KlasterError) -> Int in try db.rebuild(from: from, to: to) }
    }

    public func saveAlertStates(_ states: [String: AlertState]) throws(KlasterError) {
        try write { (db: any StoreWriter) throws(KlasterError) in try db.saveAlertStates(states) }
    }

    public func staleSeries() throws(KlasterError) -> [SeriesID: EpochMillis] {
        try read { (db: any StoreReader) throws(KlasterError) -> [SeriesID: EpochMillis] in try db.staleSeries() }
    }

    public func loadAlertStates() throws(KlasterError) -> [String: AlertState] {
        try read { (db: any StoreReader) throws(KlasterError) -> [String: AlertState] in try db.loadAlertStates() }
    }

    public func loadSeries() throws(KlasterError) -> [SeriesInfo] {
        try read { (db: any StoreReader) throws(KlasterError) -> [SeriesInfo] in try db.loadSeries() }
    }

    public func stats() throws(KlasterError) -> StoreStats {
        try read { (db: any StoreReader) throws(KlasterError) -> StoreStats in try db.stats() }
    }

    public func committedSeq() throws(KlasterError) -> UInt64 {
        try read { (db: any StoreReader) throws(KlasterError) -> UInt64 in try db.committedSeq() }
    }

    public func storedWidths() throws(KlasterError) -> [BucketWidth] {
        try read { (db: any StoreReader) throws(KlasterError) -> [BucketWidth] in try db.storedWidths() }
    }

    public func fileSchemaVersion() throws(KlasterError) -> Int {
        try read { (db: any StoreReader) throws(KlasterError) -> Int in try db.schemaVersion() }
    }

    public func deadLetters(since: EpochMillis?) throws(KlasterError) -> [StoredDeadLetter] {
        try read { (db: any StoreReader) throws(KlasterError) -> [StoredDeadLetter] in try db.deadLetters(since: since) }
    }

    public func series(glob: String?) throws(KlasterError) -> [SeriesSummary] {
        try read { (db: any StoreReader) throws(KlasterError) -> [SeriesSummary] in try db.series(glob: glob) }
    }

    public func buckets(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [SeriesBucket] {
        try read { (db: any StoreReader) throws(KlasterError) -> [SeriesBucket] in
            try db.buckets(seriesGlob: seriesGlob, from: from, to: to, every: every)
        }
    }

    /// Buckets of exactly these series (by id), in the order given: for
    /// callers that hold the series already, so no key is read as a glob
    /// (matching every key against every other made the report quadratic).
    /// - Complexity: O(series + rows).
    public func buckets(series: [SeriesInfo], from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [SeriesBucket] {
        try read { (db: any StoreReader) throws(KlasterError) -> [SeriesBucket] in
            try db.buckets(series: series, from: from, to: to, every: every)
        }
    }

    /// Streams buckets to `body` inside one read transaction; do not call the store from `body`.
    public func forEachBucket(seriesGlob: [String], from: EpochMillis, to: EpochMillis, every: Int64,
                              _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        try read { (db: any StoreReader) throws(KlasterError) in
            try db.forEachBucket(seriesGlob: seriesGlob, from: from, to: to, every: every, body)
        }
    }

    public func emissionContributions(series: [SeriesInfo], from: EpochMillis, to: EpochMillis, every: Int64,
                                      factors: FactorTable, now: EpochMillis) throws(KlasterError) -> [EmissionContribution] {
        try read { (db: any StoreReader) throws(KlasterError) -> [EmissionContribution] in
            try db.emissionContributions(series: series, from: from, to: to, every: every, factors: factors, now: now)
        }
    }

    public func emissionTotals(series: [SeriesInfo], from: EpochMillis, to: EpochMillis, widths: [BucketWidth],
                               factors: FactorTable, now: EpochMillis) throws(KlasterError) -> [EmissionContribution] {
        try read { (db: any StoreReader) throws(KlasterError) -> [EmissionContribution] in
            try db.emissionTotals(series: series, from: from, to: to, widths: widths, factors: factors, now: now)
        }
    }

    /// See ``StoreReader/judgeAlert(_:factors:now:series:)``.
    public func judgeAlert(_ rule: AlertRule, factors: FactorTable, now: EpochMillis,
                           series: [SeriesInfo]? = nil) throws(KlasterError) -> AlertJudgement {
        try read { (db: any StoreReader) throws(KlasterError) -> AlertJudgement in
            try db.judgeAlert(rule, factors: factors, now: now, series: series)
        }
    }

    /// See ``StoreReader/ingestRestoreState()``.
    public func ingestRestoreState() throws(KlasterError) -> (series: [SeriesInfo], frontiers: [SeriesFrontier], open: [Reading]) {
        try read { (db: any StoreReader) throws(KlasterError) -> (series: [SeriesInfo], frontiers: [SeriesFrontier], open: [Reading]) in
            try db.ingestRestoreState()
        }
    }
}
