extension Target {
    /// Share of the base still allowed in `year` on the linear absolute-contraction
    /// pathway (SBTi; docs/domain.md "Targets"): `1 − reduction × (year − base_year) / (target_year − base_year)`.
    ///
    /// Before the base year the pathway is flat at the base (1.0); after the
    /// target year it stays at the target level (`1 − reduction`): the target is
    /// a ceiling that does not loosen once reached.
    public func allowedShare(year: Int) -> Double {
        let span = Double(targetYear - baseYear)
        guard span > 0 else { return 1 - reduction }
        let elapsed = Swift.min(Swift.max(Double(year - baseYear), 0), span)
        return 1 - reduction * elapsed / span
    }

    /// Absolute targets: t CO2e allowed in `year`; `nil` for an intensity target.
    public func allowedTonnes(year: Int) -> Double? {
        baseTonnes.map { $0 * allowedShare(year: year) }
    }

    /// Intensity targets: t CO2e per t of product allowed in `year`; `nil` for an absolute target.
    public func allowedIntensity(year: Int) -> Double? {
        baseIntensity.map { $0 * allowedShare(year: year) }
    }
}

/// UTC calendar years as epoch-millisecond intervals.
public enum CalendarYear {
    /// 00:00 UTC on 1 January of `year`.
    public static func start(_ year: Int) -> EpochMillis {
        CivilDate.daysFromCivil(year: Int64(year), month: 1, day: 1) * 86_400_000
    }

    /// `[start(year), start(year + 1))`.
    public static func interval(_ year: Int) -> Range<EpochMillis> {
        start(year)..<start(year + 1)
    }

    /// The UTC year holding `ts`.
    public static func year(of ts: EpochMillis) -> Int {
        let days = ts >= 0 ? ts / 86_400_000 : (ts - 86_399_999) / 86_400_000
        return Int(CivilDate.civilFromDays(days).year)
    }
}
