/// A threshold rule (`[[alerts]]`) evaluated by `klaster check` and by the
/// daemon when a bucket closes.
public struct AlertRule: Sendable, Equatable {
    public enum Aggregate: String, Sendable, Equatable, CaseIterable {
        case mean, min, max, sum, count, last, delta
    }

    public var name: String
    /// Series glob (`socar-karbamid/*/co2_rate_kgh`); exclusive with `group`.
    public var series: String?
    /// Emissions group (`cluster`, a plant name, `scope1`, `scope2`).
    public var group: String?
    public var every: Int64
    public var agg: Aggregate
    public var warn: Double?
    public var crit: Double?
    public var warnReset: Double?
    public var critReset: Double?
    /// How long (ms) a condition must hold before the state changes.
    public var holdFor: Int64
    /// Data older than this (ms) makes the rule UNKNOWN; default 2 × every.
    public var staleAfter: Int64?

    public init(name: String, series: String? = nil, group: String? = nil, every: Int64, agg: Aggregate,
                warn: Double? = nil, crit: Double? = nil, warnReset: Double? = nil, critReset: Double? = nil,
                holdFor: Int64 = 0, staleAfter: Int64? = nil) {
        self.name = name
        self.series = series
        self.group = group
        self.every = every
        self.agg = agg
        self.warn = warn
        self.crit = crit
        self.warnReset = warnReset
        self.critReset = critReset
        self.holdFor = holdFor
        self.staleAfter = staleAfter
    }
}
