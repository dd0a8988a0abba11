/// Capped exponential backoff with full jitter for reconnecting: the n-th
/// wait is uniform in [base·2ⁿ/2, base·2ⁿ], capped at `max` — unlike
/// libmosquitto's own "exponential" delay, which grows as delay·n².
struct ReconnectBackoff {
    let minMillis: Int64
    let maxMillis: Int64
    private(set) var attempt = 0

    init(minMillis: Int64, maxMillis: Int64) {
        self.minMillis = Swift.min(Swift.max(1, minMillis), 1 << 31)
        self.maxMillis = Swift.max(self.minMillis, maxMillis)
    }

    /// The delay before the next attempt, in milliseconds; advances the attempt count.
    mutating func next<G: RandomNumberGenerator>(using rng: inout G) -> Int64 {
        let exp = Swift.min(attempt, 30)
        attempt += 1
        // exp ≤ 30 and minMillis is a config duration: the shift cannot overflow Int64.
        let ceiling = Swift.min(maxMillis, minMillis << Int64(exp))
        let floor = Swift.max(minMillis, ceiling / 2)
        return floor >= ceiling ? ceiling : Int64.random(in: floor...ceiling, using: &rng)
    }

    mutating func next() -> Int64 {
        var g = SystemRandomNumberGenerator()
        return next(using: &g)
    }

    /// After a successful connection.
    mutating func reset() { attempt = 0 }
}
