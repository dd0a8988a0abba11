/// What the store measured for one target in one year, up to now.
public struct TargetActuals: Sendable, Equatable {
    /// Emissions (t CO2e) from the start of the year to `min(now, end of year)`.
    public var emissionsT: Double
    /// Product (t, from `production_t` deltas) over the same span; intensity targets only.
    public var productionT: Double?
    /// Start of the first bucket of the year with any emission data; `nil` = no data.
    public var firstDataAt: EpochMillis?

    public init(emissionsT: Double, productionT: Double? = nil, firstDataAt: EpochMillis?) {
        self.emissionsT = emissionsT
        self.productionT = productionT
        self.firstDataAt = firstDataAt
    }
}

/// Progress against one target in one year (`klaster targets`; JSON fields
/// `target, scope, plant, year, allowed_year_t, allowed_to_date_t,
/// actual_to_date_t, projected_year_t, status`).
public struct TargetProgress: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// Actual ≤ allowance to date and projection ≤ the year's allowance.
        case onTrack = "on_track"
        /// Exactly one of the two exceeded.
        case atRisk = "at_risk"
        /// Both exceeded.
        case offTrack = "off_track"
        /// No emission data in the year (or the year has not started).
        case noData = "no_data"
    }

    public var target: Target
    public var year: Int
    /// t CO2e allowed for the whole year (intensity: allowed intensity × projected production).
    public var allowedYearT: Double?
    /// The year's allowance pro rata by elapsed time (a past year: all of it).
    public var allowedToDateT: Double?
    public var actualToDateT: Double?
    /// The year extrapolated from the run rate since data began (a past year: the actual).
    public var projectedYearT: Double?
    /// Intensity targets: allowed and actual t CO2e per t of product.
    public var allowedIntensity: Double?
    public var actualIntensity: Double?
    /// Elapsed share of the year at `now` (0…1).
    public var elapsedShare: Double
    public var status: Status

    /// Evaluates a target.
    ///
    /// - Allowance to date = the year's allowance × elapsed share of the year
    ///   (1 for a past year, 0 for a future one).
    /// - Projection = actual × year length ÷ the span observed so far, where the
    ///   span runs from the later of 1 January and the first bucket with data to
    ///   `now`: a meter fleet installed in March is not projected as if it had
    ///   emitted nothing in January and February. A past year's projection is
    ///   its actual.
    /// - Intensity targets: allowances are the allowed intensity × the product
    ///   made (to date, and projected the same way); so the year's status
    ///   compares actual intensity with the pathway's intensity.
    /// - Parameters:
    ///   - target: The target.
    ///   - year: The year reported.
    ///   - now: The current time.
    ///   - actuals: What the store measured (`nil` = nothing at all).
    ///   - interval: The year as an instant range (`LocalCalendar.interval(year:)`
    ///     of `buckets.timezone`); default the UTC year.
    public init(target: Target, year: Int, now: EpochMillis, actuals: TargetActuals?, interval: Range<EpochMillis>? = nil) {
        self.target = target
        self.year = year
        let interval = interval ?? CalendarYear.interval(year)
        let yearLength = Double(interval.upperBound - interval.lowerBound)
        let elapsed: Double
        if now >= interval.upperBound { elapsed = 1 }
        else if now <= interval.lowerBound { elapsed = 0 }
        else { elapsed = Double(now - interval.lowerBound) / yearLength }
        self.elapsedShare = elapsed

        // Run-rate scale: year length ÷ observed span.
        var scale: Double?
        if let a = actuals, let first = a.firstDataAt, elapsed > 0 {
            if elapsed >= 1 {
                scale = 1
            } else {
                let from = Swift.max(interval.lowerBound, first)
                let span = Double(Swift.min(now, interval.upperBound) - from)
                scale = span > 0 ? yearLength / span : nil
            }
        }

        switch target.kind {
        case .absolute:
            let allowedYear = target.allowedTonnes(year: year)
            allowedYearT = allowedYear
            allowedToDateT = allowedYear.map { $0 * elapsed }
            if let a = actuals, let scale {
                actualToDateT = a.emissionsT
                projectedYearT = a.emissionsT * scale
            }
        case .intensity:
            let intensity = target.allowedIntensity(year: year)
            allowedIntensity = intensity
            if let a = actuals, let scale, let product = a.productionT, product > 0, let intensity {
                actualToDateT = a.emissionsT
                projectedYearT = a.emissionsT * scale
                allowedToDateT = intensity * product
                allowedYearT = intensity * product * scale
                actualIntensity = a.emissionsT / product
            }
        }

        if let actual = actualToDateT, let projected = projectedYearT,
           let allowedToDate = allowedToDateT, let allowedYear = allowedYearT {
            let overToDate = actual > allowedToDate
            let overYear = projected > allowedYear
            status = overToDate && overYear ? .offTrack : (overToDate || overYear ? .atRisk : .onTrack)
        } else {
            status = .noData
        }
    }
}
