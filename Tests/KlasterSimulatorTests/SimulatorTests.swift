import Foundation
import KlasterCore
import KlasterSimulator
import Testing

/// A reading decoded from a simulated message by the test itself (not by the
/// simulator's code): `nil` when the message is not a valid reading.
private struct Decoded {
    var series: String
    var ts: Int64
    var v: Double
}

private func decode(_ m: SimMessage) -> Decoded? {
    let levels = m.topic.split(separator: "/", omittingEmptySubsequences: false)
    guard levels.count == 4, levels[0] == "nextgen" else { return nil }
    guard !m.payload.isEmpty, String(validating: m.payload, as: UTF8.self) != nil,
          let obj = try? JSONSerialization.jsonObject(with: Data(m.payload)) as? [String: Any] else { return nil }
    let ts: Int64
    if let n = obj["ts"] as? NSNumber, !(obj["ts"] is String) {
        ts = n.int64Value
    } else if let s = obj["ts"] as? String, let t = RFC3339.parse(s) {
        ts = t
    } else {
        return nil
    }
    guard let vn = obj["v"] as? NSNumber, !(obj["v"] is String), vn.doubleValue.isFinite else { return nil }
    guard abs(ts - m.sendAt) < 3_600_000 else { return nil }
    return Decoded(series: levels[1...].joined(separator: "/"), ts: ts, v: vn.doubleValue)
}

/// Fast path for the big magnitude run: `"v":<number>` out of a well-formed payload.
private func value(of payload: [UInt8]) -> Double {
    let s = String(decoding: payload, as: UTF8.self)
    let after = s.split(separator: "\"v\":", maxSplits: 1)[1]
    return Double(after.prefix { $0 != "," && $0 != "}" })!
}

private let t0: EpochMillis = 1_767_225_600_000 // 2026-01-01T00:00:00Z

private func run(_ sim: inout FleetSimulator, limit: Int = .max) -> [SimMessage] {
    var out: [SimMessage] = []
    while out.count < limit, let m = sim.next() { out.append(m) }
    return out
}

@Suite struct SimulatorTests {
    @Test func sameSeedSameStreamDifferentSeedDifferent() throws {
        let meters = FleetCatalog.meters(count: 30)
        let schedule = try FleetSchedule.live(start: t0, readingsPerSecond: 500, seriesCount: 46, end: t0 + 60_000)
        var a = FleetSimulator(meters: meters, seed: 42, faults: .standard, schedule: schedule)
        var b = FleetSimulator(meters: meters, seed: 42, faults: .standard, schedule: schedule)
        var c = FleetSimulator(meters: meters, seed: 43, faults: .standard, schedule: schedule)
        let sa = run(&a), sb = run(&b), sc = run(&c)
        #expect(sa.count > 25_000)
        #expect(sa == sb)
        #expect(a.summary == b.summary)
        #expect(sa.map(\.payload) != sc.map(\.payload))
    }

    @Test func fleetShapeAndTopics() {
        let base = FleetCatalog.meters()
        #expect(base.count == 14)
        #expect(Set(base.map(\.plant)) == ["socar-polymer", "socar-karbamid"])
        let big = FleetCatalog.meters(count: 100)
        #expect(big.count == 100)
        #expect(Set(big.map { "\($0.plant)/\($0.name)" }).count == 100)
        // Extra feeders share their area's load: total electric power is the same.
        func kW(_ ms: [FleetMeter]) -> Double { ms.filter { $0.channels.contains { $0.quantity == "active_power_kw" } }.map(\.meanPerHour).reduce(0, +) }
        #expect(abs(kW(big) - kW(base)) < 1e-6 * kW(base))
        let sim = FleetSimulator(meters: base, seed: 1, schedule: .backfill(from: t0, to: t0 + 1, interval: 900_000))
        #expect(sim.series.count == 24)
        #expect(sim.series.allSatisfy { $0.topic.hasPrefix("nextgen/socar-") && $0.topic.split(separator: "/").count == 4 })
    }

    /// A simulated year (hourly readings, no faults) integrates back to the annual figures of docs/domain.md.
    @Test func aYearMatchesThePlantFigures() {
        var sim = FleetSimulator(meters: FleetCatalog.meters(), seed: 7, rfc3339Share: 0,
                                 schedule: .backfill(from: t0, to: t0 + 365 * 86_400_000, interval: 3_600_000))
        var first: [String: Double] = [:], last: [String: Double] = [:]
        var gaugeSum: [String: Double] = [:], gaugeCount: [String: Int] = [:]
        var powerByHour = [Double](repeating: 0, count: 24)
        while let m = sim.next() {
            let key = String(m.topic.dropFirst("nextgen/".count))
            let v = value(of: m.payload)
            if first[key] == nil { first[key] = v }
            last[key] = v
            gaugeSum[key, default: 0] += v
            gaugeCount[key, default: 0] += 1
            if key == "socar-polymer/pp-feeder-01/active_power_kw" { powerByHour[Int((m.sendAt / 3_600_000) % 24)] += v }
        }
        func delta(_ k: String) -> Double { last[k]! - first[k]! }
        func mean(_ k: String) -> Double { gaugeSum[k]! / Double(gaugeCount[k]!) }
        func near(_ x: Double, _ target: Double, _ tol: Double) -> Bool { abs(x / target - 1) <= tol }
        #expect(near(delta("socar-karbamid/urea-line/production_t"), 660_000, 0.10))
        #expect(near(delta("socar-karbamid/gas-inlet/gas_volume_nm3"), 435_000_000, 0.10))
        #expect(near(delta("socar-polymer/pp-line/production_t"), 184_000, 0.10))
        #expect(near(delta("socar-polymer/hdpe-line/production_t"), 120_000, 0.10))
        // Counters integrate the gauges: mean power × hours ≈ energy registered.
        let ppEnergy = delta("socar-polymer/pp-feeder-01/active_energy_kwh")
        #expect(near(mean("socar-polymer/pp-feeder-01/active_power_kw") * 8_760, ppEnergy, 0.02))
        #expect(near(mean("socar-karbamid/gas-inlet/gas_flow_nm3h") * 8_760, delta("socar-karbamid/gas-inlet/gas_volume_nm3"), 0.02))
        // Stack CO2 is the gas carbon not fixed in urea (≈ 336 kt/yr).
        #expect(near(mean("socar-karbamid/reformer-stack/co2_rate_kgh") * 8_760 / 1000, 336_200, 0.05))
        // Daily shape: electricity peaks in the afternoon (11 UTC), lowest at night (23 UTC).
        #expect(powerByHour[11] > powerByHour[23] * 1.08)
    }

    @Test func liveContinuesTheBackfillRegisters() throws {
        let meters = FleetCatalog.meters()
        let end = t0 + 2 * 86_400_000
        var sim = FleetSimulator(meters: meters, seed: 3, schedule: .backfill(from: t0, to: end, interval: 900_000))
        var lastValue: [String: Double] = [:]
        var lastTs: [String: Int64] = [:]
        let counters = Set(sim.series.filter(\.isCounter).map(\.key))
        func check(_ m: SimMessage) {
            guard let d = decode(m) else { Issue.record("undecodable \(m.topic)"); return }
            if let p = lastTs[d.series] { #expect(d.ts > p) }
            if counters.contains(d.series), let p = lastValue[d.series] {
                #expect(d.v >= p, "\(d.series) went down without faults")
            }
            lastValue[d.series] = d.v
            lastTs[d.series] = d.ts
        }
        while let m = sim.next() { check(m) }
        #expect(lastTs.count == 24)
        sim.reschedule(try .live(start: end + 5_000, readingsPerSecond: 240, seriesCount: sim.series.count, end: end + 65_000))
        let live = run(&sim)
        #expect(abs(live.count - 240 * 60) <= 24)
        for m in live { check(m) }
    }

    /// Each fault kind, measured from the stream itself, appears at its configured rate.
    @Test func messageFaultsAppearAtTheirRates() throws {
        var faults = FaultConfig.none
        faults.duplicateShare = 0.02
        faults.outOfOrderShare = 0.02
        faults.malformedShare = 0.01
        let meters = FleetCatalog.meters()
        var sim = FleetSimulator(meters: meters, seed: 11, faults: faults,
                                 schedule: try .live(start: t0, readingsPerSecond: 1_000, seriesCount: 24, end: t0 + 100_000))
        let stream = run(&sim)
        var malformed = 0, duplicates = 0, late = 0
        var maxTs = Int64.min
        for (i, m) in stream.enumerated() {
            if i > 0, m.topic == stream[i - 1].topic, m.payload == stream[i - 1].payload {
                duplicates += 1
                #expect(m.faults == .duplicate)
                continue
            }
            guard let d = decode(m) else {
                malformed += 1
                #expect(m.faults.contains(.malformed))
                continue
            }
            if d.ts < maxTs { late += 1 }
            maxTs = max(maxTs, d.ts)
        }
        let generated = Double(stream.count - duplicates)
        let wellFormed = generated - Double(malformed)
        #expect(abs(Double(malformed) / generated - 0.01) < 0.0015)
        #expect(abs(Double(duplicates) / wellFormed - 0.02) < 0.002)
        #expect(abs(Double(late) / wellFormed - 0.02) < 0.003)
        #expect(sim.summary.faults[.malformed] == malformed)
        #expect(sim.summary.faults[.duplicate] == duplicates)
        #expect(sim.summary.messages == stream.count)
    }

    @Test func resetsAndGapsAppearAtTheirRates() {
        var faults = FaultConfig.none
        faults.resetsPerMeterDay = 0.2
        faults.gapsPerMeterDay = 1
        faults.gapDuration = 300_000...3_600_000
        let meters = FleetCatalog.meters()
        let days = 60.0
        var sim = FleetSimulator(meters: meters, seed: 5, faults: faults, rfc3339Share: 0,
                                 schedule: .backfill(from: t0, to: t0 + Int64(days) * 86_400_000, interval: 600_000))
        var last: [String: (ts: Int64, v: Double)] = [:]
        var decreases = 0, gaps = 0
        let counterMeters = meters.filter(\.hasCounter)
        let firstCounter = Set(counterMeters.map { m in "nextgen/\(m.plant)/\(m.name)/\(m.channels.first { $0.isCounter }!.quantity)" })
        let firstChannel = Set(meters.map { "nextgen/\($0.plant)/\($0.name)/\($0.channels[0].quantity)" })
        while let m = sim.next() {
            let v = value(of: m.payload)
            if let p = last[m.topic] {
                if firstCounter.contains(m.topic), v < p.v { decreases += 1 }
                if firstChannel.contains(m.topic), m.sendAt - p.ts > 900_000 { gaps += 1 }
            }
            last[m.topic] = (m.sendAt, v)
        }
        let expectedResets = 0.2 * days * Double(counterMeters.count)
        let expectedGaps = 1 * days * Double(meters.count)
        #expect(abs(Double(decreases) / expectedResets - 1) < 0.2, "resets \(decreases) vs \(expectedResets)")
        #expect(abs(Double(gaps) / expectedGaps - 1) < 0.1, "gaps \(gaps) vs \(expectedGaps)")
        #expect(sim.summary.faults[.gap] ?? 0 >= gaps)
    }

    @Test func rolloversFollowTheRegisterModulusAndSkewStaysBounded() {
        var faults = FaultConfig.none
        faults.rolloverModulus = 1_000_000
        faults.skewedMeterShare = 0.3
        let meters = FleetCatalog.meters(count: 200)
        var sim = FleetSimulator(meters: meters, seed: 9, faults: faults, rfc3339Share: 0,
                                 schedule: .backfill(from: t0, to: t0 + 20 * 86_400_000, interval: 3_600_000))
        var last: [String: Double] = [:]
        var wraps: [String: Int] = [:]
        let wrapping = Set(sim.series.filter { $0.isCounter && faults.rolloverQuantities.contains($0.quantity) }.map(\.key))
        var maxSkew: Int64 = 0
        var skewedTopics = Set<String>()
        while let m = sim.next() {
            guard let d = decode(m) else { Issue.record("undecodable"); continue }
            if wrapping.contains(d.series), let p = last[m.topic], d.v < p { wraps[d.series, default: 0] += 1 }
            last[m.topic] = d.v
            let skew = d.ts - m.sendAt
            if skew != 0 { skewedTopics.insert(String(m.topic.split(separator: "/")[1...2].joined(separator: "/"))) }
            maxSkew = max(maxSkew, abs(skew))
            #expect(m.faults.contains(.clockSkew) == (skew != 0))
        }
        // Every wrapping series wrapped exactly as often as its flow passed the modulus (±1 for the start).
        for (i, s) in sim.series.enumerated() where s.isCounter && faults.rolloverQuantities.contains(s.quantity) {
            let expected = sim.integrated[i] / 1_000_000
            #expect(abs(Double(wraps[s.key] ?? 0) - expected) <= 1.01, "\(s.key)")
        }
        #expect(sim.summary.faults[.rollover] == wraps.values.reduce(0, +))
        #expect(wraps["socar-karbamid/gas-inlet/gas_volume_nm3"] ?? 0 >= 20)
        // 30 % of 200 meters drift; 5 s/day for at most 7 days before a resync.
        #expect(abs(Double(skewedTopics.count) / 200 - 0.3) < 0.1)
        #expect(skewedTopics.count == sim.skewedMeters.count)
        #expect(maxSkew <= 35_000)
        #expect(maxSkew > 5_000)
    }
}
