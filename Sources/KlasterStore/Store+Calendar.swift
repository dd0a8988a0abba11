import KlasterCore

/// Calendar periods of a local time zone read from UTC-aligned buckets,
/// inside the caller's read transaction.
extension StoreReader {
    /// The coarsest stored width whose buckets tile `periods` exactly.
    /// - Throws: `.usage` when none does (the zone's offset is finer than the finest stored width).
    public func baseWidth(tiling periods: [Range<EpochMillis>], zone: String, limit: Int64 = .max) throws(KlasterError) -> BucketWidth {
        let stored = try storedWidths().filter { $0.millis <= limit }
        guard let base = LocalCalendar.baseWidth(for: periods, stored: stored) else {
            throw KlasterError(.usage, "no stored bucket width ends on the period boundaries of \(zone)",
                               hint: "store 15m buckets (buckets.widths) for zones with :30 or :45 offsets")
        }
        return base
    }

    /// Bucket aggregates of the series matching the globs in calendar periods
    /// of `calendar`: the periods whose start lies in `[start of from's period, to)`,
    /// each merged from the coarsest stored width that tiles them (hourly for
    /// whole-hour offsets, 15-minute for :30/:45). Ordered by series, then start;
    /// a row's `start` is its period's first instant (UTC) and its `width`
    /// the period's length (23 h, 24 h or 25 h for a day).
    /// - Parameter body: Called per (series, period) with data; the store is locked meanwhile.
    /// - Throws: `.usage` for a bad glob or a zone no stored width can tile.
    public func forEachCalendarBucket(seriesGlob: [String], from: EpochMillis, to: EpochMillis, unit: CalendarUnit,
                                      calendar: LocalCalendar, _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        let periods = calendar.periods(from: from, to: to, unit)
        guard let first = periods.first, let last = periods.last else { return }
        let base = try baseWidth(tiling: periods, zone: calendar.identifier)
        var grouper = PeriodGrouper(periods: periods)
        var current: SeriesInfo?
        try forEachBucket(seriesGlob: seriesGlob, from: first.lowerBound, to: last.upperBound, every: base.millis) { (b: SeriesBucket) throws(KlasterError) in
            if let c = current, c.id != b.series.id {
                if let row = grouper.finish() { try body(SeriesBucket(series: c, row: row)) }
            }
            current = b.series
            if let row = grouper.add(b.row) { try body(SeriesBucket(series: b.series, row: row)) }
        }
        if let c = current, let row = grouper.finish() { try body(SeriesBucket(series: c, row: row)) }
    }
}

/// One-transaction forms of the calendar reads.
extension Store {
    public func baseWidth(tiling periods: [Range<EpochMillis>], zone: String, limit: Int64 = .max) throws(KlasterError) -> BucketWidth {
        try read { (db: any StoreReader) throws(KlasterError) -> BucketWidth in try db.baseWidth(tiling: periods, zone: zone, limit: limit) }
    }

    /// Streams calendar buckets inside one read transaction; do not call the store from `body`.
    public func forEachCalendarBucket(seriesGlob: [String], from: EpochMillis, to: EpochMillis, unit: CalendarUnit,
                                      calendar: LocalCalendar, _ body: (SeriesBucket) throws(KlasterError) -> Void) throws(KlasterError) {
        try read { (db: any StoreReader) throws(KlasterError) in
            try db.forEachCalendarBucket(seriesGlob: seriesGlob, from: from, to: to, unit: unit, calendar: calendar, body)
        }
    }
}
