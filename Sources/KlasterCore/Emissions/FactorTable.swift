/// Picks the emission factor that applies to one series at one instant.
///
/// Rules (issue 5): only factors of the series' quantity apply; a factor of
/// the series' plant beats a generic one (no `plant`); among those, the latest
/// `valid_from` not after the instant wins (no `valid_from` = valid since
/// forever); on a tie the one listed last in the config wins. Scope-2 factors
/// with a `method` other than the one reported are skipped, except that a
/// market-based table falls back to the location-based factor of a quantity
/// that has no market-based factor at all.
public struct FactorTable: Sendable {
    /// The factors in config order.
    public let factors: [EmissionFactor]
    /// Scope-2 accounting method reported (location-based by default; docs/domain.md "Scopes").
    public let method: EmissionFactor.Method
    private let byQuantity: [String: [EmissionFactor]]

    /// - Parameters:
    ///   - factors: The factors in effect (see `EmissionFactor.effective(configured:)`).
    ///   - method: Scope-2 method to report; factors of the other method are ignored.
    public init(_ factors: [EmissionFactor], method: EmissionFactor.Method = .location) {
        self.factors = factors
        self.method = method
        var map: [String: [EmissionFactor]] = [:]
        // Market-based: a quantity without any market factor (no contractual
        // instrument covers it) falls back to its location-based factor.
        let marketQuantities = Set(factors.filter { $0.scope == .two && $0.method == .market }.map(\.quantity))
        for f in factors {
            let fallback = method == .market && f.method == .location && !marketQuantities.contains(f.quantity)
            guard f.method == nil || f.method == method || f.scope == .one || fallback else { continue }
            map[f.quantity, default: []].append(f)
        }
        self.byQuantity = map
    }

    /// Whether any factor names this quantity (a series of another quantity emits nothing).
    public func covers(quantity: String?) -> Bool {
        guard let quantity else { return false }
        return byQuantity[quantity] != nil
    }

    /// The factor for a series of `quantity` at `plant`, valid at `at`.
    /// - Parameters:
    ///   - quantity: The series' quantity level.
    ///   - plant: The series' plant level, if the topic pattern has one.
    ///   - at: The instant (a bucket's start).
    /// - Returns: The winning factor, or `nil` when none applies.
    /// - Complexity: O(n) in the factors of that quantity.
    public func factor(quantity: String?, plant: String?, at: EpochMillis) -> EmissionFactor? {
        guard let quantity, let candidates = byQuantity[quantity] else { return nil }
        var best: EmissionFactor?
        var bestRank: (Int, EpochMillis) = (-1, .min)
        for f in candidates {
            let specificity: Int
            if let p = f.plant {
                guard p == plant else { continue }
                specificity = 1
            } else {
                specificity = 0
            }
            let from = f.validFrom ?? .min
            guard from <= at else { continue }
            let rank = (specificity, from)
            if rank >= bestRank {
                best = f
                bestRank = rank
            }
        }
        return best
    }
}
