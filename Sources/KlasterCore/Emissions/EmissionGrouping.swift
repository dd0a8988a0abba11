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

    public init(group: String, start: EpochMillis, width: BucketWidth, scope: Scope, co2eKg: Double) {
        self.group = group
        self.start = start
        self.width = width
        self.scope = scope
        self.co2eKg = co2eKg
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
