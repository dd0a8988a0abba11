/// A good whose specific embedded emissions Klaster computes for CBAM
/// (`[[cbam.goods]]`; Regulation (EU) 2023/956, Annex IV; `docs/cbam.md`).
public struct CbamGood: Sendable, Equatable {
    /// A precursor consumed by the good's production (ammonia for urea).
    public struct Precursor: Sendable, Equatable {
        /// The `name` of another `[[cbam.goods]]` entry.
        public var good: String
        /// Tonnes of precursor per tonne of this good (stoichiometric or measured) …
        public var tPerT: Double?
        /// … or a counter glob metering the precursor consumed, t.
        public var series: String?

        public init(good: String, tPerT: Double? = nil, series: String? = nil) {
            self.good = good
            self.tPerT = tPerT
            self.series = series
        }
    }

    public var name: String
    /// Combined Nomenclature code (`2814 10 00` ammonia, `3102 10 12` urea).
    public var cnCode: String
    /// Counter glob of the activity level: tonnes of the good produced.
    public var production: String
    /// Source-stream globs whose emissions (their quantity's `[[factors]]`)
    /// are the good's direct emissions.
    public var direct: [String]
    /// Share (0…1) of those streams' emissions attributed to this good.
    public var directShare: Double
    /// Electricity counter globs (kWh): the good's indirect emissions.
    public var electricity: [String]
    public var precursors: [Precursor]
    /// The default value to compare with, t CO2e/t (optional).
    public var defaultSEE: Double?

    public init(name: String, cnCode: String, production: String, direct: [String] = [], directShare: Double = 1,
                electricity: [String] = [], precursors: [Precursor] = [], defaultSEE: Double? = nil) {
        self.name = name
        self.cnCode = cnCode
        self.production = production
        self.direct = direct
        self.directShare = directShare
        self.electricity = electricity
        self.precursors = precursors
        self.defaultSEE = defaultSEE
    }
}

extension CbamGood {
    /// Goods ordered so that every precursor comes before the goods that use it.
    /// - Throws: `KlasterError(.config)` for a precursor that names no good, or a cycle.
    public static func productionOrder(_ goods: [CbamGood]) throws(KlasterError) -> [CbamGood] {
        let byName = Dictionary(goods.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var done: Set<String> = []
        var visiting: Set<String> = []
        var out: [CbamGood] = []
        func visit(_ g: CbamGood) throws(KlasterError) {
            if done.contains(g.name) { return }
            if visiting.contains(g.name) {
                throw KlasterError(.config, "cbam.goods: precursors of '\(g.name)' form a cycle", hint: "a good cannot be its own precursor")
            }
            visiting.insert(g.name)
            for p in g.precursors {
                guard let pg = byName[p.good] else {
                    throw KlasterError(.config, "cbam.goods '\(g.name)': precursor '\(p.good)' is not a [[cbam.goods]] name",
                                       hint: "goods: \(goods.map(\.name).joined(separator: ", "))")
                }
                try visit(pg)
            }
            visiting.remove(g.name)
            done.insert(g.name)
            out.append(g)
        }
        for g in goods { try visit(g) }
        return out
    }
}
