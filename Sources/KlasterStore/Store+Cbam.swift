import KlasterCore

/// CBAM specific embedded emissions from the stored buckets (`klaster cbam`,
/// the report's CBAM section, `/api/v1/cbam`), inside the caller's read transaction.
extension StoreReader {
    /// Measures every good's streams over `period` and computes their SEE.
    ///
    /// The period is cut into slots of the coarsest stored width up to one
    /// hour that tiles it (hours in Asia/Baku, 15 minutes in a :45 zone) and
    /// ends at the last complete slot before `now`. A good's streams are
    /// measured over its production span — from the first to the last slot
    /// with production data — so a plant metered from October is not charged
    /// substitutes for January; within the span each stream's coverage and
    /// gap substitution is per slot (`StreamCoverage.measure`).
    /// - Parameters:
    ///   - goods: `[[cbam.goods]]`.
    ///   - period: The reporting period (a local year or quarter).
    ///   - label: `2026`, `2026-Q1`.
    ///   - zone: The zone name, for errors.
    ///   - factors: Factor selection (scope-2 method as configured).
    /// - Throws: `.usage` for a zone no stored width tiles, `.config` for bad precursors, store errors.
    public func cbam(goods: [CbamGood], period: Range<EpochMillis>, label: String, zone: String, factors: FactorTable,
                     now: EpochMillis) throws(KlasterError) -> [CbamResult] {
        let slot = try baseWidth(tiling: [period], zone: zone, limit: 3_600_000)
        let end = Swift.min(period.upperBound, slot.start(of: now))
        let n = end > period.lowerBound ? Int((end - period.lowerBound) / slot.millis) : 0
        let known = try loadSeries()
        let hours = Double(slot.millis) / 3_600_000

        func matching(_ globs: [String]) throws(KlasterError) -> [SeriesInfo] {
            var parsed: [SeriesGlob] = []
            for g in globs { parsed.append(try SeriesGlob(g)) }
            return known.filter { s in parsed.contains { $0.matches(s.key) } }
        }
        /// Per slot, the stream's amount (counter delta, gauge mean × slot hours) or nil.
        func amounts(_ s: SeriesInfo) throws(KlasterError) -> [Double?] {
            var out = [Double?](repeating: nil, count: n)
            guard n > 0 else { return out }
            for b in try buckets(seriesGlob: [s.key], from: period.lowerBound, to: end, every: slot.millis) where b.series.id == s.id {
                let i = Int((b.row.start - period.lowerBound) / slot.millis)
                guard i >= 0, i < n else { continue }
                switch s.kind {
                case .counter: if b.row.count > 0 || b.row.delta != nil { out[i] = b.row.delta ?? 0 }
                case .gauge: if let mean = b.row.mean { out[i] = mean * hours }
                }
            }
            return out
        }
        func kgPerUnit(_ s: SeriesInfo) -> [Double] {
            (0..<n).map { i in
                factors.factor(quantity: s.quantity, plant: s.plant, at: period.lowerBound + Int64(i) * slot.millis)?.kgCO2ePerUnit ?? 0
            }
        }
        /// The streams of `globs`, each measured over the slots of `span` only.
        func streams(_ globs: [String], activity: Bool = false, span: Range<Int>? = nil) throws(KlasterError) -> [StreamCoverage] {
            var out: [StreamCoverage] = []
            for s in try matching(globs) {
                let all = try amounts(s)
                let r = span ?? 0..<all.count
                out.append(StreamCoverage.measure(series: s.key, kind: s.kind, amounts: Array(all[r]),
                                                  kgPerUnit: activity ? [] : Array(kgPerUnit(s)[r]), activity: activity))
            }
            return out
        }
        /// Slots from the first to the last with production data: the good's
        /// reporting span (nil without production data).
        func productionSpan(_ globs: [String]) throws(KlasterError) -> Range<Int>? {
            var first: Int?, last: Int?
            for s in try matching(globs) {
                let a = try amounts(s)
                if let f = a.firstIndex(where: { $0 != nil }) { first = Swift.min(first ?? f, f) }
                if let l = a.lastIndex(where: { $0 != nil }) { last = Swift.max(last ?? l, l) }
            }
            guard let first, let last else { return nil }
            return first..<(last + 1)
        }

        var data: [String: CbamGoodData] = [:]
        for g in goods {
            var d = CbamGoodData()
            let span = try productionSpan([g.production])
            d.production = try streams([g.production], activity: true, span: span)
            d.direct = try streams(g.direct, span: span)
            d.electricity = try streams(g.electricity, span: span)
            var used: [EmissionFactor] = []
            for s in try matching(g.electricity) {
                for i in stride(from: 0, to: n, by: Swift.max(1, n / 12)) {
                    if let f = factors.factor(quantity: s.quantity, plant: s.plant, at: period.lowerBound + Int64(i) * slot.millis),
                       !used.contains(f) { used.append(f) }
                }
            }
            d.electricityFactors = used
            for p in g.precursors {
                guard let glob = p.series else { continue }
                // Metered precursor mass: register gaps are bridged, edge gaps filled (more precursor = more embedded).
                d.meteredPrecursorT[p.good, default: 0] += try streams([glob], span: span).reduce(0) { $0 + $1.amount }
            }
            data[g.name] = d
        }
        return try CbamCalculator.compute(goods: goods, period: label, data: data)
    }
}

extension Store {
    /// ``StoreReader/cbam(goods:period:label:zone:factors:now:)`` in one read transaction (one snapshot for every good).
    public func cbam(goods: [CbamGood], period: Range<EpochMillis>, label: String, zone: String, factors: FactorTable,
                     now: EpochMillis) throws(KlasterError) -> [CbamResult] {
        try read { (db: any StoreReader) throws(KlasterError) -> [CbamResult] in
            try db.cbam(goods: goods, period: period, label: label, zone: zone, factors: factors, now: now)
        }
    }
}
