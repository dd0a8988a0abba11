/// One source stream over a reporting period, slot by slot (hours, or
/// 15-minute slots in :30/:45 zones), with its data gaps filled conservatively.
///
/// Gap substitution (the EU ETS monitoring rules ask for a conservative
/// estimate; `docs/cbam.md` says the same in full):
/// - a **counter** (gas totaliser, electricity register) keeps counting while
///   nobody reads it: the first reading after an interior gap carries the
///   whole increase, so interior gaps need no substitute (`register`). Slots
///   before its first reading and after its last one in the period are filled
///   with the stream's largest slot amount of the period (`max_slot`);
/// - a **gauge** (a CEMS mass rate, kg/h) says nothing about a slot without
///   readings: every such slot is filled with the largest slot amount of the
///   period (`max_slot`);
/// - an **activity** stream (tonnes produced) is never filled: a missing
///   tonne raises the specific emissions, which is the conservative side.
/// A stream with no data at all in the period cannot be filled (`no_data`).
public struct StreamCoverage: Sendable, Equatable {
    public enum Substitution: String, Sendable, Equatable {
        /// Nothing to fill.
        case none
        /// Interior gaps of a counter are bridged by the register; edges filled with the largest slot.
        case register
        /// Gaps filled with the largest slot amount of the period.
        case maxSlot = "max_slot"
        /// Activity data: gaps left unfilled (conservative for a divisor).
        case notFilled = "not_filled"
        /// No data at all in the period.
        case noData = "no_data"
    }

    public var series: String
    /// Slots of the (elapsed part of the) period, and those with at least one reading.
    public var slots: Int
    public var slotsWithData: Int
    /// Slots given a substitute value, and the amount substituted (stream unit).
    public var substitutedSlots: Int
    public var substitutedAmount: Double
    /// The stream's total over the period, substitutes included (stream unit).
    public var amount: Double
    /// kg CO2e of `amount` with the factor of each slot (0 for activity streams).
    public var kgCO2e: Double
    public var substitution: Substitution

    /// Share of slots that have data (1 for an empty period).
    public var share: Double { slots == 0 ? 1 : Double(slotsWithData) / Double(slots) }

    /// Measures one stream.
    /// - Parameters:
    ///   - series: The series key.
    ///   - kind: Counter or gauge.
    ///   - amounts: Per slot, the stream's amount (counter delta, or gauge mean × slot hours), `nil` without readings.
    ///   - kgPerUnit: Per slot, the factor that applies (kg CO2e per unit); empty for an activity stream.
    ///   - activity: `true` for production: gaps are not filled.
    public static func measure(series: String, kind: QuantityKind, amounts: [Double?], kgPerUnit: [Double] = [],
                               activity: Bool = false) -> StreamCoverage {
        let slots = amounts.count
        let withData = amounts.indices.filter { amounts[$0] != nil }
        func factor(_ i: Int) -> Double { i < kgPerUnit.count ? kgPerUnit[i] : 0 }
        var amount = 0.0, kg = 0.0
        for i in withData {
            amount += amounts[i]!
            kg += amounts[i]! * factor(i)
        }
        var out = StreamCoverage(series: series, slots: slots, slotsWithData: withData.count, substitutedSlots: 0,
                                 substitutedAmount: 0, amount: amount, kgCO2e: kg, substitution: .none)
        guard withData.count < slots else { return out }
        if activity { out.substitution = .notFilled; return out }
        guard let first = withData.first, let last = withData.last else { out.substitution = .noData; return out }
        let fill = withData.map { amounts[$0]! }.max()!
        let gaps: [Int]
        switch kind {
        case .counter:
            gaps = Array(0..<first) + Array((last + 1)..<slots)
            out.substitution = .register
        case .gauge:
            gaps = amounts.indices.filter { amounts[$0] == nil }
            out.substitution = .maxSlot
        }
        if kind == .counter && !gaps.isEmpty { out.substitution = .maxSlot }
        for i in gaps {
            out.substitutedSlots += 1
            out.substitutedAmount += fill
            out.amount += fill
            out.kgCO2e += fill * factor(i)
        }
        return out
    }
}
