import KlasterCore

/// What a BIRTH said about one metric, as the DATA hot path needs it: a
/// trivial value (no reference counting when copied).
struct MetricEntry: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A numeric or boolean metric stored as series `SeriesID`.
        case stored(SeriesID)
        /// `bdSeq`, `Node Control/…`, `Device Control/…`: not plant data.
        case protocolMetric
        /// A type Klaster does not store (dead-lettered `unsupported_type`).
        case unsupported
        /// A metric whose series key could not be built (dead-lettered `bad_topic`).
        case unnamed
    }

    var kind: Kind
    var dataType: SparkplugDataType
    var isTransient: Bool
}

/// One edge node's or one device's metric definitions from its latest BIRTH:
/// alias → entry and name → entry (for edge nodes that send names, not aliases).
struct AliasTable {
    private(set) var entries: [MetricEntry] = []
    private(set) var names: [String] = []
    private var byAlias: [UInt64: Int32] = [:]
    private var byName: [String: Int32] = [:]

    /// Every stored series the BIRTH defined (for stale marks).
    var series: [SeriesID] {
        entries.compactMap { if case .stored(let s) = $0.kind { s } else { nil } }
    }

    /// Adds a definition.
    /// - Returns: `false` when the alias was already defined in this BIRTH (the later one wins).
    mutating func define(name: String, alias: UInt64?, entry: MetricEntry) -> Bool {
        let i = Int32(entries.count)
        entries.append(entry)
        names.append(name)
        byName[name] = i
        guard let alias else { return true }
        return byAlias.updateValue(i, forKey: alias) == nil
    }

    @inline(__always)
    func index(alias: UInt64) -> Int? {
        byAlias[alias].map(Int.init)
    }

    func index(name: String) -> Int? {
        byName[name].map(Int.init)
    }
}
