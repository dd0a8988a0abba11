/// CO2e of one series in one bucket: what one factor made of one bucket row.
public struct EmissionContribution: Sendable, Equatable {
    public var series: SeriesInfo
    public var start: EpochMillis
    public var width: BucketWidth
    public var scope: Scope
    public var co2eKg: Double
    /// The factor applied (its source goes into reports).
    public var factor: EmissionFactor

    public init(series: SeriesInfo, start: EpochMillis, width: BucketWidth, scope: Scope, co2eKg: Double, factor: EmissionFactor) {
        self.series = series
        self.start = start
        self.width = width
        self.scope = scope
        self.co2eKg = co2eKg
        self.factor = factor
    }

    /// The plant a contribution belongs to: the series' plant level, else the
    /// first level of its key.
    public var plant: String {
        if let p = series.plant, !p.isEmpty { return p }
        return series.key.split(separator: "/", maxSplits: 1).first.map(String.init) ?? series.key
    }
}

/// Turns bucket aggregates into CO2e at query time (issue 5).
///
/// - Counter quantities (`active_energy_kwh`, `gas_volume_nm3`, …): the
///   bucket's `delta` × factor. Deltas already carry across bucket edges, so
///   summing buckets never loses an increase.
/// - Gauge quantities that are rates per hour (`co2_rate_kgh`, `gas_flow_nm3h`):
///   the bucket's mean × the hours it covers × factor.
///   **Partial coverage:** the mean of the readings a bucket holds stands for
///   the whole bucket (a meter that reported for 40 of 60 minutes is assumed
///   to have run at that mean all hour); the bucket that is still open counts
///   only up to `now`. A bucket without any reading contributes nothing: an
///   outage is a gap (reported as such by `klaster report`), never
///   interpolated from its neighbours.
public enum EmissionCalculator {
    /// CO2e (kg) of one bucket row.
    /// - Parameters:
    ///   - row: The bucket aggregate.
    ///   - kind: Counter or gauge (from the quantity table).
    ///   - factor: kg CO2e per unit (per unit·h for a rate gauge).
    ///   - now: The current time; a gauge bucket is integrated up to it at most.
    ///   - within: For gauges, only the part of the bucket inside this range
    ///     counts (a query range that cuts an hour). Counters ignore it: an
    ///     increase cannot be split.
    /// - Returns: kg CO2e (0 for a delta-less or empty row).
    public static func co2eKg(row: BucketRow, kind: QuantityKind, factor: EmissionFactor, now: EpochMillis,
                              within: Range<EpochMillis>? = nil) -> Double {
        switch kind {
        case .counter:
            return (row.delta ?? 0) * factor.kgCO2ePerUnit
        case .gauge:
            guard let mean = row.mean else { return 0 }
            var start = row.start
            var end = Swift.min(row.start + row.width.millis, Swift.max(now, row.start))
            if let within {
                start = Swift.max(start, within.lowerBound)
                end = Swift.min(end, within.upperBound)
            }
            let hours = Double(Swift.max(end - start, 0)) / 3_600_000
            return mean * hours * factor.kgCO2ePerUnit
        }
    }

    /// Applies the factor table to bucket rows.
    /// - Parameters:
    ///   - rows: Bucket rows with the series they belong to.
    ///   - factors: Factor selection.
    ///   - now: Current time (limits the open gauge bucket).
    ///   - within: Gauge buckets count only inside this range.
    /// - Returns: One contribution per row that has a factor, in input order.
    public static func contributions(_ rows: [(SeriesInfo, BucketRow)], factors: FactorTable, now: EpochMillis,
                                     within: Range<EpochMillis>? = nil) -> [EmissionContribution] {
        var out: [EmissionContribution] = []
        out.reserveCapacity(rows.count)
        for (info, row) in rows {
            guard let f = factors.factor(quantity: info.quantity, plant: info.plant, at: row.start) else { continue }
            let kg = co2eKg(row: row, kind: info.kind, factor: f, now: now, within: within)
            out.append(EmissionContribution(series: info, start: row.start, width: row.width, scope: f.scope, co2eKg: kg, factor: f))
        }
        return out
    }
}
