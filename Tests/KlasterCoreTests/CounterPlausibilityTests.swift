import Testing
@testable import KlasterCore

/// Every counter has an implausible-jump bound by default, so one absurd
/// register value never becomes a delta.
@Suite struct CounterPlausibilityTests {
    @Test func everyBuiltInCounterHasAMaxRate() {
        let counters = QuantityTable.builtIn.filter { $0.value.kind == .counter }
        #expect(counters.count == 7)
        #expect(counters.mapValues { $0.maxRate } == [
            "active_energy_kwh": 300_000, "reactive_energy_kvarh": 300_000, "gas_volume_nm3": 600_000,
            "steam_mass_t": 1_000, "water_volume_m3": 100_000, "production_t": 1_200, "co2_mass_kg": 500_000,
        ])
    }

    /// The reproduction: a gateway's all-ones register one minute after a real reading.
    @Test func allOnesRegisterIsImplausible() {
        let t0: EpochMillis = 1_764_547_200_000
        let rule = CounterRule(QuantityTable().spec(for: "gas_volume_nm3"))
        #expect(rule.delta(prev: 49_657.5, prevTs: t0 - 60_000, cur: 1.8446744073709552e19, curTs: t0) == .implausible)
        // The gas inlet's real minute (49,658 Nm³/h) is well inside the bound.
        #expect(rule.delta(prev: 49_657.5, prevTs: t0 - 60_000, cur: 50_485.1, curTs: t0) == .increase(50_485.1 - 49_657.5))
    }

    @Test func aConfiguredCounterWithoutMaxRateGetsTheFallback() {
        let table = QuantityTable(overrides: [
            "ammonia_t": QuantitySpec(kind: .counter, unit: "t"),
            "flow_index": QuantitySpec(kind: .gauge, unit: ""),
            "steam_mass_t": QuantitySpec(kind: .counter, unit: "t", maxRate: 50),
        ])
        #expect(table.spec(for: "ammonia_t").maxRate == 1e12)
        #expect(table.spec(for: "flow_index").maxRate == nil)
        #expect(table.spec(for: "steam_mass_t").maxRate == 50)
        let rule = CounterRule(table.spec(for: "ammonia_t"))
        #expect(rule.delta(prev: 10, prevTs: 0, cur: 1.8446744073709552e19, curTs: 60_000) == .implausible)
    }
}
