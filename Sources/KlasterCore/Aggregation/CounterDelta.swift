/// How a counter register moves from one reading to the next (README
/// "Topics and payloads"): its rollover and its largest plausible rate.
public struct CounterRule: Sendable, Equatable {
    /// The value at which the register wraps to zero, if any.
    public var rollover: Double?
    /// Largest plausible increase per millisecond (`max_rate` in unit/h ÷ 3 600 000).
    public var maxRatePerMillisecond: Double?

    /// - Parameters:
    ///   - rollover: the register's wrap value `R`, if it has one.
    ///   - maxRatePerHour: `max_rate` of the quantity, in unit per hour.
    public init(rollover: Double? = nil, maxRatePerHour: Double? = nil) {
        self.rollover = rollover
        self.maxRatePerMillisecond = maxRatePerHour.map { $0 / 3_600_000 }
    }

    public init(_ spec: QuantitySpec) {
        self.init(rollover: spec.rollover, maxRatePerHour: spec.maxRate)
    }

    /// The increase between two consecutive readings of a counter (`prev`
    /// at `prevTs`, `cur` at `curTs > prevTs`):
    /// - `cur ≥ prev`: `cur − prev`;
    /// - `cur < prev`, a rollover `R` is configured and `prev > 0.9·R`: the
    ///   register wrapped, `cur + R − prev`;
    /// - otherwise the meter was reset (replaced): `cur`.
    ///
    /// Whatever case produced it, an increase above `maxRate × elapsed` is
    /// implausible: it is not added (`.implausible`).
    @inlinable
    public func delta(prev: Double, prevTs: EpochMillis, cur: Double, curTs: EpochMillis) -> CounterDelta {
        let increase: Double
        if cur >= prev {
            increase = cur - prev
        } else if let r = rollover, prev > 0.9 * r {
            increase = cur + r - prev
        } else {
            increase = cur
        }
        if let rate = maxRatePerMillisecond, increase > rate * Double(curTs - prevTs) {
            return .implausible
        }
        return .increase(increase)
    }
}

/// The contribution of one pair of consecutive counter readings to the bucket
/// of the later one.
public enum CounterDelta: Sendable, Equatable {
    /// Added to the bucket's `delta`.
    case increase(Double)
    /// Above `max_rate`: not added, counted in the bucket's `implausible`.
    case implausible
}
