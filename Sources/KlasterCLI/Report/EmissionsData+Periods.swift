import KlasterCore
import KlasterStore

extension EmissionsData {
    /// CO2e contributions in periods of `every` that start at `from` (not at
    /// the epoch): `from`, `from + every`, …; the last period ends at `to` and
    /// is shorter when the range is not a whole number of periods (its width
    /// says so). `emissions --every 30d --from 2026-01-01` gives rows starting
    /// 1 January, 31 January, … and never a row that starts before `from`.
    ///
    /// Whole periods are read from the widest stored width that divides both
    /// `every` and the offset of `from` (one query per kind of series); when
    /// `from` is not on any stored width, and for the shorter last period, each
    /// period is summed like a whole-range total (exact to the finest width).
    /// - Throws: `KlasterError(.usage)` when no stored width divides `every`.
    func contributions(periodsFrom from: EpochMillis, to: EpochMillis, every: Int64) throws(KlasterError) -> [EmissionContribution] {
        let widths = config.buckets.widths.map(\.millis)
        guard widths.contains(where: { every % $0 == 0 }) else {
            throw KlasterError(.usage, "--every \(DurationParser.format(every)) is not a multiple of a stored width",
                               hint: "use a multiple of \(config.buckets.widths.map(\.description).joined(separator: ", "))")
        }
        guard from < to else { return [] }
        let whole = (to - from) / every
        let wholeEnd = from + whole * every
        var out: [EmissionContribution] = []
        if whole > 0 {
            if let g = widths.filter({ every % $0 == 0 && from % $0 == 0 }).max() {
                for var c in try contributions(from: from, to: wholeEnd, every: g) {
                    c.start = from + (c.start - from) / every * every
                    c.width = BucketWidth(millis: every)
                    out.append(c)
                }
            } else {
                var start = from
                while start < wholeEnd {
                    out += try total(from: start, to: start + every)
                    start += every
                }
            }
        }
        if wholeEnd < to { out += try total(from: wholeEnd, to: to) }
        return out
    }

    /// One contribution per series over `[from, to)`, whatever the alignment.
    func total(from: EpochMillis, to: EpochMillis) throws(KlasterError) -> [EmissionContribution] {
        try store.emissionTotals(series: emitting, from: from, to: to, widths: config.buckets.widths, factors: factors, now: now)
    }
}
