/// What the store yields for one good over one period: its streams, slot by
/// slot, already measured (`StreamCoverage.measure`).
public struct CbamGoodData: Sendable, Equatable {
    /// Production counters (t): the activity level.
    public var production: [StreamCoverage]
    /// Direct source streams, kg CO2e from their `[[factors]]`.
    public var direct: [StreamCoverage]
    /// Electricity counters (kWh), kg CO2e from the scope-2 factor.
    public var electricity: [StreamCoverage]
    /// The electricity factors applied (value kg CO2e/kWh and source), for the output.
    public var electricityFactors: [EmissionFactor]
    /// Tonnes of each metered precursor consumed (`precursors = [{ good, series }]`), by good name.
    public var meteredPrecursorT: [String: Double]

    public init(production: [StreamCoverage] = [], direct: [StreamCoverage] = [], electricity: [StreamCoverage] = [],
                electricityFactors: [EmissionFactor] = [], meteredPrecursorT: [String: Double] = [:]) {
        self.production = production
        self.direct = direct
        self.electricity = electricity
        self.electricityFactors = electricityFactors
        self.meteredPrecursorT = meteredPrecursorT
    }
}

/// The specific embedded emissions of one good in one period (`klaster cbam`).
public struct CbamResult: Sendable, Equatable {
    public var good: CbamGood
    /// `2026`, `2026-Q1`.
    public var period: String
    public var activityT: Double
    /// The good's own attributed emissions, t CO2e (precursors apart).
    public var directT: Double
    public var indirectT: Double
    public var electricityMWh: Double
    /// Embedded emissions of the precursors consumed, t CO2e.
    public var precursorDirectT: Double
    public var precursorIndirectT: Double
    /// Tonnes of each precursor consumed, by good name.
    public var precursorT: [String: Double]
    /// t CO2e per t of good; `nil` without production.
    public var seeDirect: Double?
    public var seeIndirect: Double?
    public var seeTotal: Double? {
        guard let d = seeDirect, let i = seeIndirect else { return nil }
        return d + i
    }
    public var coverage: [StreamCoverage]
    public var electricityFactors: [EmissionFactor]
}

/// Annex IV of Regulation (EU) 2023/956: for each good,
/// `SEE = (AttrEm + Σ M_i × SEE_i) / AL`, direct and indirect apart, where
/// AttrEm are the good's attributed emissions, M_i the mass of precursor i
/// consumed, SEE_i its specific embedded emissions and AL the activity level.
///
/// CO2 bound in urea is not deducted from ammonia's emissions (the EU ETS and
/// CBAM count all CO2 produced as emitted); this calculator never subtracts it.
public enum CbamCalculator {
    /// Results for every good, in config order.
    /// - Parameters:
    ///   - goods: `[[cbam.goods]]`.
    ///   - period: The period label.
    ///   - data: Measured streams per good name.
    /// - Throws: `.config` for unknown precursors or a cycle (`CbamGood.productionOrder`).
    public static func compute(goods: [CbamGood], period: String, data: [String: CbamGoodData]) throws(KlasterError) -> [CbamResult] {
        var done: [String: CbamResult] = [:]
        for g in try CbamGood.productionOrder(goods) {
            let d = data[g.name] ?? CbamGoodData()
            let activity = d.production.reduce(0) { $0 + $1.amount }
            let direct = d.direct.reduce(0) { $0 + $1.kgCO2e } * g.directShare / 1000
            let indirect = d.electricity.reduce(0) { $0 + $1.kgCO2e } / 1000
            let mwh = d.electricity.reduce(0) { $0 + $1.amount } / 1000
            var pDirect = 0.0, pIndirect = 0.0
            var masses: [String: Double] = [:]
            for p in g.precursors {
                let mass = p.tPerT.map { $0 * activity } ?? d.meteredPrecursorT[p.good] ?? 0
                masses[p.good, default: 0] += mass
                guard let pr = done[p.good] else { continue }
                pDirect += mass * (pr.seeDirect ?? 0)
                pIndirect += mass * (pr.seeIndirect ?? 0)
            }
            let see: (Double) -> Double? = { total in activity > 0 ? total / activity : nil }
            done[g.name] = CbamResult(good: g, period: period, activityT: activity, directT: direct, indirectT: indirect,
                                      electricityMWh: mwh, precursorDirectT: pDirect, precursorIndirectT: pIndirect,
                                      precursorT: masses, seeDirect: see(direct + pDirect), seeIndirect: see(indirect + pIndirect),
                                      coverage: d.production + d.direct + d.electricity, electricityFactors: d.electricityFactors)
        }
        return goods.compactMap { done[$0.name] }
    }
}
