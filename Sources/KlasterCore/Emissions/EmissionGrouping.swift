/// How `klaster emissions --by` groups contributions; also the names an alert
/// rule's `group` may use (`cluster`, a plant, `scope1`, `scope2`).
public enum EmissionGrouping: String, Sendable, CaseIterable {
    case plant, cluster, scope

    /// The group name of one contribution under this grouping.
    public func group(of c: EmissionContribution) -> String {
        switch self {
        case .plant: c.plant
        case .cluster: "cluster"
        case .scope: "scope\(c.scope.rawValue)"
        }
    }
}

/// One output row of `klaster emissions` (JSON fields `group, start, width, scope, co2e_kg`):
/// one group, one bucket, one GHG scope.
public struct EmissionRow: Sendable, Equatable {
    public var group: String
    public var start: EpochMillis
    public var width: BucketWidth
    public var scope: Scope
    public var co2eKg: Double
    /// Scope 2 only, and only when both methods are reported: which one this row is.
    public var method: EmissionFactor.Method?

    public init(group: String, start: EpochMillis, width: BucketWidth, scope: Scope, co2eKg: Double,
                method: EmissionFactor.Method? = nil) {
        self.group = group
        self.start = start
        self.width = width
        self.scope = scope
        self.co2eKg = co2eKg
        self.method = method
    }
}

extension EmissionGrouping {
    /// Sums contributions per (group, bucket start, scope). Scopes are never
    /// added together: GHG reporting keeps scope 1 and scope 2 apart.
    /// - Returns: Rows sorted by group, start, scope.
    public func rows(_ contributions: [EmissionContribution]) -> [EmissionRow] {
        struct Key: Hashable { var group: String; var start: EpochMillis; var scope: Scope }
        var sums: [Key: (BucketWidth, Double)] = [:]
        for c in contributions {
            let k = Key(group: group(of: c), start: c.start, scope: c.scope)
            sums[k, default: (c.width, 0)].1 += c.co2eKg
        }
        return sums.map { EmissionRow(group: $0.key.group, start: $0.key.start, width: $0.value.0, scope: $0.key.scope, co2eKg: $0.value.1) }
            .sorted { ($0.group, $0.start, $0.scope.rawValue) < ($1.group, $1.start, $1.scope.rawValue) }
    }

    /// Whether a contribution belongs to the named group (`cluster`, `scope1`,
    /// `scope2`, or a plant name) — how alert rules on an emissions group select.
    public static func matches(_ name: String, _ c: EmissionContribution) -> Bool {
        switch name {
        case "cluster": true
        case "scope1": c.scope == .one
        case "scope2": c.scope == .two
        default: c.plant == name
        }
    }
}

extension EmissionGrouping {
    /// Scope 2 reported both ways (GHG Protocol Scope 2 Guidance: a company
    /// with contractual instruments reports location- and market-based side by
    /// side, each labelled): the rows of `location`, their scope-2 rows marked
    /// `location`, plus the scope-2 rows of `market` marked `market`. Scope 1
    /// does not depend on the method and appears once.
    /// - Parameters:
    ///   - location: Contributions computed with the location-based factor table.
    ///   - market: The same range with the market-based table.
    /// - Returns: Rows sorted by group, start, scope, then location before market.
    public func dualScope2Rows(location: [EmissionContribution], market: [EmissionContribution]) -> [EmissionRow] {
        var out = rows(location).map { r -> EmissionRow in
            var r = r
            if r.scope == .two { r.method = .location }
            return r
        }
        out += rows(market.filter { $0.scope == .two }).map { r -> EmissionRow in
            var r = r
            r.method = .market
            return r
        }
        func rank(_ m: EmissionFactor.Method?) -> Int { m == .market ? 1 : 0 }
        return out.sorted { ($0.group, $0.start, $0.scope.rawValue, rank($0.method)) < ($1.group, $1.start, $1.scope.rawValue, rank($1.method)) }
    }
}

extension FactorTable {
    /// Whether any scope-2 factor is market-based (then scope 2 is reported both ways).
    public var hasMarketFactors: Bool {
        factors.contains { $0.scope == .two && $0.method == .market }
    }
}
