import KlasterCore

/// The field faults the simulator can inject (docs/domain.md "Meter telemetry").
public enum FaultKind: String, Sendable, CaseIterable, Hashable {
    /// A register wrapped at its modulus (a reading lower than the previous one).
    case rollover
    /// A meter was replaced: its registers restart near zero.
    case reset
    /// A message sent twice (at-least-once delivery).
    case duplicate
    /// A message delivered after later ones (within `reorderWindow`).
    case outOfOrder = "out_of_order"
    /// A reading stamped by a drifting clock.
    case clockSkew = "clock_skew"
    /// A meter outage: no readings for a while.
    case gap
    /// A payload that is not a valid reading (or a topic that does not match).
    case malformed
}

/// Faults carried by one message (a message may carry several, e.g. a
/// skewed reading that is also a rollover).
public struct FaultSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ kind: FaultKind) {
        self.init(rawValue: 1 << UInt8(FaultKind.allCases.firstIndex(of: kind)!))
    }

    public func contains(_ kind: FaultKind) -> Bool { contains(FaultSet(kind)) }

    public static let rollover = FaultSet(.rollover)
    public static let reset = FaultSet(.reset)
    public static let duplicate = FaultSet(.duplicate)
    public static let outOfOrder = FaultSet(.outOfOrder)
    public static let clockSkew = FaultSet(.clockSkew)
    public static let gap = FaultSet(.gap)
    public static let malformed = FaultSet(.malformed)
}

/// How often each fault happens. Defaults (`FaultConfig.standard`, what
/// `klaster simulate --faults` uses):
///
/// | fault | rate |
/// |---|---|
/// | rollover | `active_energy_kwh` and `gas_volume_nm3` registers wrap at 1,000,000 (a 6-digit register; 838,860.7 is the other common modulus): the gas inlet wraps every ≈ 20 h, a 10 MW feeder every ≈ 4 days |
/// | reset | each meter with a register is replaced on average once per 180 days |
/// | duplicate | 0.5 % of well-formed messages are sent twice, back to back |
/// | out-of-order | 0.5 % of well-formed messages are delivered up to 3 s (stream time) late |
/// | clock skew | 20 % of meters have clocks drifting 1–5 s/day, resynchronised every 7 days |
/// | gap | each meter goes silent on average once per 30 days, for 5 min – 2 h |
/// | malformed | 0.2 % of messages are malformed (9 variants, one of them a bad topic) |
///
/// `FaultConfig.none` (no `--faults`) turns every one off.
public struct FaultConfig: Sendable, Equatable {
    /// Register modulus of the quantities in `rolloverQuantities`; `nil` = registers never wrap.
    public var rolloverModulus: Double?
    public var rolloverQuantities: Set<String>
    /// Meter replacements per meter (with a register) per day.
    public var resetsPerMeterDay: Double
    /// Share of well-formed messages sent twice.
    public var duplicateShare: Double
    /// Share of well-formed messages held back and delivered later.
    public var outOfOrderShare: Double
    /// How far (ms of stream time) a held-back message is delayed at most.
    public var reorderWindow: Int64
    /// Share of meters whose clock drifts.
    public var skewedMeterShare: Double
    /// Drift of a skewed clock, ms per day (sign chosen at random).
    public var skewDriftPerDay: ClosedRange<Double>
    /// Skewed clocks are set right at every multiple of this (ms since the epoch).
    public var clockSyncInterval: Int64
    /// Outages started per meter per day.
    public var gapsPerMeterDay: Double
    /// How long an outage lasts (ms).
    public var gapDuration: ClosedRange<Int64>
    /// Share of messages replaced by a malformed one.
    public var malformedShare: Double

    public init(rolloverModulus: Double? = nil, rolloverQuantities: Set<String> = ["active_energy_kwh", "gas_volume_nm3"],
                resetsPerMeterDay: Double = 0, duplicateShare: Double = 0, outOfOrderShare: Double = 0,
                reorderWindow: Int64 = 3_000, skewedMeterShare: Double = 0, skewDriftPerDay: ClosedRange<Double> = 1_000...5_000,
                clockSyncInterval: Int64 = 7 * 86_400_000, gapsPerMeterDay: Double = 0,
                gapDuration: ClosedRange<Int64> = 300_000...7_200_000, malformedShare: Double = 0) {
        self.rolloverModulus = rolloverModulus
        self.rolloverQuantities = rolloverQuantities
        self.resetsPerMeterDay = resetsPerMeterDay
        self.duplicateShare = duplicateShare
        self.outOfOrderShare = outOfOrderShare
        self.reorderWindow = reorderWindow
        self.skewedMeterShare = skewedMeterShare
        self.skewDriftPerDay = skewDriftPerDay
        self.clockSyncInterval = clockSyncInterval
        self.gapsPerMeterDay = gapsPerMeterDay
        self.gapDuration = gapDuration
        self.malformedShare = malformedShare
    }

    /// No faults at all: every register grows forever, every message arrives once, in order.
    public static let none = FaultConfig()

    /// The rates stated in the type's documentation (`--faults`).
    public static let standard = FaultConfig(
        rolloverModulus: 1_000_000, resetsPerMeterDay: 1.0 / 180, duplicateShare: 0.005, outOfOrderShare: 0.005,
        skewedMeterShare: 0.2, gapsPerMeterDay: 1.0 / 30, malformedShare: 0.002)
}

/// What a simulation run published, by fault kind.
public struct SimulationSummary: Sendable, Equatable {
    /// Messages handed to the broker (duplicates included).
    public var messages = 0
    /// Messages carrying one well-formed reading (duplicates included).
    public var readings = 0
    /// Messages per fault kind; for `.gap`, outages started.
    public var faults: [FaultKind: Int] = [:]
    /// Readings not sent because their meter was in an outage.
    public var suppressedReadings = 0

    public init() {}

    mutating func count(_ m: SimMessage) {
        messages += 1
        if !m.faults.contains(.malformed) { readings += 1 }
        for k in FaultKind.allCases where k != .gap && m.faults.contains(k) { faults[k, default: 0] += 1 }
    }

    /// One line per fault kind, e.g. `duplicate 123`.
    public var lines: [String] {
        var out = ["messages \(messages)", "readings \(readings)"]
        for k in FaultKind.allCases { out.append("\(k.rawValue) \(faults[k] ?? 0)") }
        out.append("suppressed_by_gaps \(suppressedReadings)")
        return out
    }
}
