import KlasterCore

/// Everything `klaster report` shows, gathered from the store before any HTML
/// is written (so the page renderer is pure and testable).
struct ReportModel: Sendable {
    /// A named series of (time, value) points, e.g. cumulative t CO2e by day.
    struct Curve: Sendable {
        var points: [(x: EpochMillis, y: Double)]
    }

    /// One target's panel: cumulative actual against the pathway's allowance.
    struct TargetPanel: Sendable {
        var progress: TargetProgress
        /// What the panel covers: `cluster` or a plant name.
        var coverage: String
        /// Cumulative actual t CO2e at the end of each day with data, this year.
        var cumulative: Curve
    }

    /// Per-day totals for one quantity, per plant.
    struct DailyByPlant: Sendable {
        var title: String
        var unit: String
        /// Day starts (instants of local midnight in `buckets.timezone`), oldest first.
        var days: [EpochMillis]
        /// Each day's local date, `2026-03-01` (same order as `days`).
        var dates: [String] = []
        /// Plant → value per day (same order as `days`; 0 for a day without data).
        var values: [(plant: String, perDay: [Double])]
    }

    struct TopSeries: Sendable {
        var key: String
        var scope: Scope
        var co2eT: Double
        var factorSource: String
    }

    struct AlertLine: Sendable {
        var rule: String
        var status: AlertStatus
        var text: String
        var since: EpochMillis?
    }

    struct Quality: Sendable {
        var messages: Int64
        var readings: Int64
        var duplicates: Int64
        var late: Int64
        var deadLetters: [(reason: String, count: Int64)]
        /// Series with hours lacking any reading in the gap window, worst first.
        var gaps: [(series: String, missingHours: Int)]
        /// The span the gap figures cover.
        var gapWindowHours: Int
    }

    var generatedAt: EpochMillis
    var year: Int
    var dbPath: String
    var yearTotals: [(scope: Scope, co2eT: Double)]
    var targets: [TargetPanel]
    var energy: DailyByPlant
    var gas: DailyByPlant
    var top: [TopSeries]
    var alerts: [AlertLine]
    var quality: Quality
    /// `buckets.timezone`: the zone of the year and the days.
    var timezone: String = "UTC"
    /// Scope-2 method of the totals and targets (`emissions.scope2_method`).
    var scope2Method: String = "location"
    /// CBAM specific embedded emissions of the year (empty without `[[cbam.goods]]`).
    var cbam: [CbamResult] = []
}
