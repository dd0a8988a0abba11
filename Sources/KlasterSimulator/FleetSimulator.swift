import KlasterCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A message the simulator wants published.
public struct SimMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    /// When the message is due, epoch ms of stream time: its reading's true
    /// time, or later for a message held back (out of order). Live publishing
    /// waits for the wall clock to reach it; a backfill ignores it.
    public var sendAt: EpochMillis
    public var faults: FaultSet

    public init(topic: String, payload: [UInt8], sendAt: EpochMillis, faults: FaultSet) {
        self.topic = topic
        self.payload = payload
        self.sendAt = sendAt
        self.faults = faults
    }
}

/// One series the fleet publishes (`nextgen/{plant}/{meter}/{quantity}`).
public struct SimulatedSeries: Sendable, Equatable {
    public var plant: String
    public var meter: String
    public var quantity: String
    public var isCounter: Bool
    public init(plant: String, meter: String, quantity: String, isCounter: Bool) {
        self.plant = plant
        self.meter = meter
        self.quantity = quantity
        self.isCounter = isCounter
    }
    public var topic: String { "nextgen/\(plant)/\(meter)/\(quantity)" }
    /// The series key: `plant/meter/quantity`.
    public var key: String { "\(plant)/\(meter)/\(quantity)" }
}

/// When meters read: every meter once per `interval`, from `start` until `end`.
public struct FleetSchedule: Sendable, Equatable {
    public var start: EpochMillis
    /// Time between two readings of one meter, microseconds.
    public var intervalMicros: Int64
    /// Exclusive; `nil` = no end.
    public var end: EpochMillis?
    /// Spread the meters evenly over the interval (live: a smooth message
    /// rate) instead of all reading at the same instant (backfill: aligned
    /// interval data, like 15-minute demand registers).
    public var stagger: Bool

    public init(start: EpochMillis, intervalMicros: Int64, end: EpochMillis?, stagger: Bool) {
        precondition(intervalMicros >= 1_000, "a meter reads at most once per millisecond")
        self.start = start
        self.intervalMicros = intervalMicros
        self.end = end
        self.stagger = stagger
    }

    /// History from `from` (rounded down to the interval) to `to`, aligned readings every `interval` ms.
    public static func backfill(from: EpochMillis, to: EpochMillis, interval: Int64) -> FleetSchedule {
        let start = BucketWidth(millis: interval).start(of: from)
        return FleetSchedule(start: start, intervalMicros: interval * 1_000, end: to, stagger: false)
    }

    /// Real time from `start`: `readingsPerSecond` readings per second spread
    /// over `seriesCount` series (each meter reads every seriesCount/R seconds).
    /// - Throws: `KlasterError(.usage)` when that would be more than one reading per series per millisecond.
    public static func live(start: EpochMillis, readingsPerSecond: Double, seriesCount: Int,
                            end: EpochMillis?) throws(KlasterError) -> FleetSchedule {
        guard readingsPerSecond > 0, readingsPerSecond.isFinite else {
            throw KlasterError(.usage, "--rate must be a positive number", hint: "e.g. --rate 100")
        }
        let micros = (Double(seriesCount) * 1_000_000 / readingsPerSecond).rounded()
        guard micros >= 1_000 else {
            throw KlasterError(.usage, "--rate \(readingsPerSecond) is more than one reading per series per millisecond for \(seriesCount) series",
                               hint: "raise --meters, or lower --rate to at most \(seriesCount * 1000)/s")
        }
        return FleetSchedule(start: start, intervalMicros: Int64(micros), end: end, stagger: true)
    }
}

/// The simulated NextGen fleet as a deterministic message stream: the same
/// meters, seed, faults and schedule give the same messages, byte for byte.
///
/// Each meter's flow is `mean × load(t)`, where `load` is 1 plus a daily
/// cosine shape, slow plant-wide variation (four sinusoids of 2.7 h – 4.3 d
/// with seeded phases, shared by all meters of a plant) and a per-meter
/// wobble; all of these average to zero over whole days, so a simulated year
/// integrates to the annual figures of `FleetFigures`. Counters integrate the
/// flow (trapezoid between readings); gauges publish the instantaneous flow
/// with measurement noise. Faults are drawn per `FaultConfig`.
public struct FleetSimulator: Sendable {
    public let meters: [FleetMeter]
    public let series: [SimulatedSeries]
    public let faults: FaultConfig
    /// Share of well-formed messages whose `ts` is an RFC 3339 string instead of epoch ms.
    public let rfc3339Share: Double
    /// What `next()` has returned so far.
    public private(set) var summary = SimulationSummary()
    public private(set) var schedule: FleetSchedule

    private struct PlantNoise: Sendable {
        var amplitude: [Double]
        var periodHours: [Double]
        var phase: [Double]
    }

    private struct MeterState: Sendable {
        var rng: SimulationRandom
        var plant: Int
        var firstSeries: Int
        var wobbleAmplitude: Double
        var wobblePeriodHours: Double
        var wobblePhase: Double
        var registers: [Double]
        var lastPublished: [Double?]
        var seq: [UInt64]
        var lastTs: EpochMillis?
        var lastRate = 0.0
        var skewPerDay = 0.0
        var outageUntil: EpochMillis = .min
        var pendingReset = false
    }

    private struct Held: Sendable {
        var releaseAt: EpochMillis
        var order: Int
        var message: SimMessage
        var duplicate: Bool
    }

    private var plants: [PlantNoise]
    private var states: [MeterState]
    /// Physical total of each series since the start (counters; 0 for gauges), without resets or wraps.
    public private(set) var integrated: [Double]
    private var streamRNG: SimulationRandom
    private var tick: Int64 = 0
    private var meterIndex = 0
    private var ended = false
    private var out: [SimMessage] = []
    private var outHead = 0
    private var held: [Held] = []
    private var heldOrder = 0

    /// - Parameters:
    ///   - meters: The fleet (`FleetCatalog.meters(count:)`).
    ///   - seed: Seeds every random choice.
    ///   - faults: Which faults, how often (`.none` or `.standard`).
    ///   - rfc3339Share: Share of readings stamped with an RFC 3339 string `ts` (default 5 %).
    ///   - schedule: When meters read.
    public init(meters: [FleetMeter], seed: UInt64, faults: FaultConfig = .none, rfc3339Share: Double = 0.05,
                schedule: FleetSchedule) {
        self.meters = meters
        self.faults = faults
        self.rfc3339Share = rfc3339Share
        self.schedule = schedule
        var plantNames: [String] = []
        for m in meters where !plantNames.contains(m.plant) { plantNames.append(m.plant) }
        var setup = SimulationRandom(seed: seed)
        plants = plantNames.map { _ in
            PlantNoise(amplitude: [0.015, 0.015, 0.02, 0.02], periodHours: [2.7, 9.1, 31, 103],
                       phase: (0..<4).map { _ in setup.unit() * 2 * Double.pi })
        }
        var series: [SimulatedSeries] = []
        var states: [MeterState] = []
        for (i, m) in meters.enumerated() {
            var rng = SimulationRandom.derived(seed: seed, stream: UInt64(i) + 1)
            let registers: [Double] = m.channels.map { c in
                guard c.isCounter else { return 0 }
                if let mod = faults.rolloverModulus, faults.rolloverQuantities.contains(c.quantity) { return rng.unit() * mod }
                return rng.unit() * 5_000_000
            }
            var st = MeterState(rng: rng, plant: plantNames.firstIndex(of: m.plant)!, firstSeries: series.count,
                                wobbleAmplitude: 0.01, wobblePeriodHours: 5 + rng.unit() * 8, wobblePhase: rng.unit() * 2 * Double.pi,
                                registers: registers, lastPublished: Array(repeating: nil, count: m.channels.count),
                                seq: Array(repeating: 0, count: m.channels.count))
            if st.rng.chance(faults.skewedMeterShare) {
                let d = faults.skewDriftPerDay
                st.skewPerDay = (d.lowerBound + st.rng.unit() * (d.upperBound - d.lowerBound)) * (st.rng.chance(0.5) ? 1 : -1)
            }
            states.append(st)
            for c in m.channels {
                series.append(SimulatedSeries(plant: m.plant, meter: m.name, quantity: c.quantity, isCounter: c.isCounter))
            }
        }
        self.series = series
        self.states = states
        integrated = Array(repeating: 0, count: series.count)
        streamRNG = SimulationRandom.derived(seed: seed, stream: 0)
    }

    /// Meters whose clock drifts (by index into `meters`).
    public var skewedMeters: [Int] { states.indices.filter { states[$0].skewPerDay != 0 } }

    /// Continues the same fleet (registers, clocks, outages) on a new schedule,
    /// e.g. live after a backfill. Call it after `next()` returned `nil`.
    public mutating func reschedule(_ s: FleetSchedule) {
        schedule = s
        tick = 0
        meterIndex = 0
        ended = false
    }

    /// The next message, or `nil` when the schedule has ended.
    public mutating func next() -> SimMessage? {
        while outHead == out.count {
            out.removeAll(keepingCapacity: true)
            outHead = 0
            if !advance() {
                flushHeld()
                if out.isEmpty { return nil }
            }
        }
        let m = out[outHead]
        outHead += 1
        summary.count(m)
        return m
    }

    // MARK: - Generation

    private mutating func advance() -> Bool {
        guard !ended, !meters.isEmpty else { return false }
        let s = schedule
        var offset = tick &* s.intervalMicros
        if s.stagger { offset += Int64(meterIndex) * s.intervalMicros / Int64(meters.count) }
        let t = s.start + offset / 1_000
        if let end = s.end, t >= end {
            ended = true
            return false
        }
        read(meter: meterIndex, at: t)
        meterIndex += 1
        if meterIndex == meters.count {
            meterIndex = 0
            tick += 1
        }
        return true
    }

    private func load(_ meter: FleetMeter, _ st: MeterState, at t: EpochMillis) -> Double {
        let hours = Double(t) / 3_600_000
        let hourOfDay = hours - 24 * (hours / 24).rounded(.down)
        var l = 1 + meter.dailyAmplitude * cos(2 * Double.pi * (hourOfDay - meter.dailyPeakHourUTC) / 24)
        let p = plants[st.plant]
        for k in 0..<p.amplitude.count {
            l += p.amplitude[k] * sin(2 * Double.pi * hours / p.periodHours[k] + p.phase[k])
        }
        l += st.wobbleAmplitude * sin(2 * Double.pi * hours / st.wobblePeriodHours + st.wobblePhase)
        return l
    }

    private mutating func read(meter i: Int, at t: EpochMillis) {
        let meter = meters[i]
        var st = states[i]
        defer { states[i] = st }
        let l = load(meter, st, at: t)
        let rate = meter.meanPerHour * l
        var increase = 0.0
        var days = 0.0
        if let last = st.lastTs, t > last {
            increase = (st.lastRate + rate) * 0.5 * Double(t - last) / 3_600_000
            days = Double(t - last) / 86_400_000
        }
        if st.lastTs == nil || t > st.lastTs! {
            st.lastTs = t
            st.lastRate = rate
        }

        // Meter replacement: the new register counts only what flowed since it was fitted.
        let replaced = meter.hasCounter && days > 0 && st.rng.chance(faults.resetsPerMeterDay * days)
        let sinceFitted = replaced ? increase * st.rng.unit() : 0
        for (c, ch) in meter.channels.enumerated() where ch.isCounter {
            integrated[st.firstSeries + c] += increase
            st.registers[c] = replaced ? sinceFitted : st.registers[c] + increase
        }
        if replaced { st.pendingReset = true }

        // Outage: the meter keeps measuring (its registers run on) but sends nothing.
        var silent = t < st.outageUntil
        if !silent, days > 0, st.rng.chance(faults.gapsPerMeterDay * days) {
            let g = faults.gapDuration
            st.outageUntil = t + g.lowerBound + Int64(st.rng.unit() * Double(g.upperBound - g.lowerBound))
            summary.faults[.gap, default: 0] += 1
            silent = true
        }
        if silent {
            summary.suppressedReadings += meter.channels.count
            return
        }

        var stamp = t
        var base: FaultSet = []
        if st.skewPerDay != 0 {
            let sync = faults.clockSyncInterval
            let sinceSync = ((t % sync) + sync) % sync
            let skew = Int64((st.skewPerDay * Double(sinceSync) / 86_400_000).rounded())
            if skew != 0 {
                stamp += skew
                base.insert(.clockSkew)
            }
        }
        for (c, ch) in meter.channels.enumerated() {
            var faultSet = base
            let value: Double
            switch ch.kind {
            case .counter:
                var v = st.registers[c]
                if let mod = faults.rolloverModulus, faults.rolloverQuantities.contains(ch.quantity) {
                    v = v.truncatingRemainder(dividingBy: mod)
                }
                if let previous = st.lastPublished[c], v < previous {
                    faultSet.insert(st.pendingReset ? .reset : .rollover)
                } else if st.pendingReset {
                    faultSet.insert(.reset)
                }
                st.lastPublished[c] = v
                value = v
            case let .gauge(baseValue, exponent, noise):
                value = max(0, baseValue * pow(max(l, 0), exponent) * (1 + noise * st.rng.gaussian()))
            }
            st.seq[c] += 1
            let s = series[st.firstSeries + c]
            let payload = SimulatedPayload.json(ts: stamp, value: value, decimals: ch.decimals, seq: st.seq[c],
                                                rfc3339: streamRNG.chance(rfc3339Share))
            emit(SimMessage(topic: s.topic, payload: payload, sendAt: t, faults: faultSet),
                 plantMeterTopic: "nextgen/\(s.plant)/\(s.meter)", ts: stamp, value: value)
        }
        st.pendingReset = false
    }

    /// Applies the message-level faults (malformed, out of order, duplicate) and queues the result.
    private mutating func emit(_ message: SimMessage, plantMeterTopic: String, ts: EpochMillis, value: Double) {
        releaseHeld(before: message.sendAt)
        var m = message
        if streamRNG.chance(faults.malformedShare) {
            let variant = Int(streamRNG.next() % UInt64(SimulatedPayload.malformedVariants))
            (m.topic, m.payload) = SimulatedPayload.malformed(variant: variant, topic: m.topic, plantMeterTopic: plantMeterTopic,
                                                              good: m.payload, ts: ts, value: value)
            m.faults = [.malformed]
            out.append(m)
            return
        }
        let delayed = streamRNG.chance(faults.outOfOrderShare)
        let duplicate = streamRNG.chance(faults.duplicateShare)
        if delayed {
            m.faults.insert(.outOfOrder)
            let delay = 1 + Int64(streamRNG.unit() * Double(max(0, faults.reorderWindow - 1)))
            m.sendAt += delay
            held.append(Held(releaseAt: m.sendAt, order: heldOrder, message: m, duplicate: duplicate))
            heldOrder += 1
        } else {
            push(m, duplicate: duplicate)
        }
    }

    private mutating func push(_ m: SimMessage, duplicate: Bool) {
        out.append(m)
        if duplicate {
            var copy = m
            copy.faults = [.duplicate]
            out.append(copy)
        }
    }

    private mutating func releaseHeld(before t: EpochMillis) {
        guard !held.isEmpty, held.contains(where: { $0.releaseAt < t }) else { return }
        let due = held.filter { $0.releaseAt < t }.sorted { ($0.releaseAt, $0.order) < ($1.releaseAt, $1.order) }
        held.removeAll { $0.releaseAt < t }
        for h in due { push(h.message, duplicate: h.duplicate) }
    }

    private mutating func flushHeld() {
        let due = held.sorted { ($0.releaseAt, $0.order) < ($1.releaseAt, $1.order) }
        held.removeAll()
        for h in due { push(h.message, duplicate: h.duplicate) }
    }
}
