import Testing
@testable import KlasterCore

@Suite struct StreamCoverageTests {
    @Test func counterInteriorGapIsBridgedByTheRegister() {
        let c = StreamCoverage.measure(series: "p/m/gas_volume_nm3", kind: .counter, amounts: [5, nil, 15], kgPerUnit: [2, 2, 2])
        #expect(c.amount == 20)
        #expect(c.kgCO2e == 40)
        #expect(c.slotsWithData == 2 && c.slots == 3)
        #expect(c.substitutedSlots == 0)
        #expect(c.substitution == .register)
    }

    @Test func counterEdgeGapsAreFilledWithTheLargestSlot() {
        // Slots 0 and 5 lie outside the first and last reading: 2 × 30 substituted; 2 and 3 are bridged.
        let c = StreamCoverage.measure(series: "s", kind: .counter, amounts: [nil, 10, nil, nil, 30, nil],
                                       kgPerUnit: [2, 2, 2, 2, 2, 3])
        #expect(c.substitutedSlots == 2)
        #expect(c.substitutedAmount == 60)
        #expect(c.amount == 100)
        let expectedKg: Double = 20 + 60 + 60 + 90  // slots 1, 4 measured; 0 and 5 filled with 30 (× 2, × 3)
        #expect(c.kgCO2e == expectedKg)
        #expect(c.substitution == .maxSlot)
        #expect(c.share == 2.0 / 6.0)
    }

    @Test func gaugeGapsAreFilledWithTheLargestSlot() {
        let c = StreamCoverage.measure(series: "s", kind: .gauge, amounts: [100, nil, 300, nil], kgPerUnit: [1, 1, 1, 1])
        #expect(c.amount == 1000)
        #expect(c.substitutedSlots == 2)
        #expect(c.substitution == .maxSlot)
    }

    @Test func activityIsNeverFilledAndNoDataStaysZero() {
        let a = StreamCoverage.measure(series: "s", kind: .counter, amounts: [10, nil], activity: true)
        #expect(a.amount == 10 && a.substitution == .notFilled && a.kgCO2e == 0)
        let n = StreamCoverage.measure(series: "s", kind: .gauge, amounts: [nil, nil], kgPerUnit: [1, 1])
        #expect(n.amount == 0 && n.substitution == .noData && n.share == 0)
        let full = StreamCoverage.measure(series: "s", kind: .gauge, amounts: [1, 2], kgPerUnit: [1, 1])
        #expect(full.substitution == StreamCoverage.Substitution.none && full.share == 1)
    }
}
