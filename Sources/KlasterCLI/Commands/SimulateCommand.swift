import ArgumentParser
import Foundation
import KlasterCore
import KlasterMQTT
import KlasterSimulator
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT/SIGTERM during `klaster simulate`: stop publishing, flush, print the summary.
/// An `Atomic` store is lock-free and so async-signal-safe.
private let simulateStopRequested = Atomic<Bool>(false)

/// `klaster simulate`: publishes the NextGen fleet (`FleetSimulator`) to a broker,
/// as history (`--backfill`) as fast as the broker takes it, then in real time.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Publish a realistic NextGen meter fleet to the broker.",
        discussion: """
        The fleet: SOCAR Polymer (PP 184 kt/yr, HDPE 120 kt/yr) and SOCAR Karbamid \
        (≈ 660 kt urea/yr from ≈ 435 M Nm³ gas/yr); 14 meters, 24 series on \
        nextgen/{plant}/{meter}/{quantity}; --meters adds electricity feeders. \
        Payloads {"ts":…,"v":…,"seq":…} (5 % with an RFC 3339 ts). \
        --faults: registers wrap at 1,000,000 (energy, gas), a meter replacement per \
        meter per 180 days, 0.5 % duplicates, 0.5 % out of order (≤ 3 s), 20 % of \
        meters with clocks drifting 1–5 s/day, an outage per meter per 30 days \
        (5 min – 2 h), 0.2 % malformed payloads.

        Without --backfill: live at --rate for --duration (default: until Ctrl-C). \
        With --backfill D: D of history up to now, one reading per meter per \
        --backfill-interval, as fast as the broker takes it; then live only if \
        --duration is given. The same --seed (and --now) gives the same stream.
        """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Broker URL (mqtt://host:port or mqtts://…); default mqtt.url of the config.")
    var broker: String?

    @Option(help: "Number of meters (14 = the base fleet; more adds electricity feeders).")
    var meters: Int = FleetCatalog.baseCount

    @Option(help: "Live readings per second, all series together.")
    var rate: Double = 100

    @Option(help: "How long to publish live (e.g. 30s, 10m); default until interrupted, or none after --backfill.")
    var duration: String?

    @Option(help: "Random seed: the same seed gives the same stream.")
    var seed: UInt64 = 1

    @Flag(help: "Inject field faults (rollovers, replacements, duplicates, reordering, clock skew, gaps, malformed payloads).")
    var faults = false

    @Option(help: "Publish this much history first (e.g. 90d), ending now.")
    var backfill: String?

    @Option(name: .customLong("backfill-interval"), help: "One reading per meter per this interval in the backfill.")
    var backfillInterval: String = "15m"

    @Option(help: "MQTT QoS for every message (0, 1 or 2).")
    var qos: Int32 = 1

    @Option(help: "Pretend the current time is this (RFC 3339 or epoch ms) for timestamps; default the clock.")
    var now: String?

    @Option(help: "User name (password from mqtt.password_file or KLASTER_MQTT_PASSWORD).")
    var username: String?

    @Option(name: .customLong("password-file"), help: "File holding the broker password on its first line.")
    var passwordFile: String?

    @Option(name: .customLong("ca-file"), help: "CA certificate for mqtts://.")
    var caFile: String?

    @Option(name: .customLong("cert-file"), help: "Client certificate (with --key-file).")
    var certFile: String?

    @Option(name: .customLong("key-file"), help: "Client private key.")
    var keyFile: String?

    @Flag(name: .customLong("tls-insecure"), help: "Do not check the server certificate's host name (tests only).")
    var tlsInsecure = false

    @Flag(name: .customLong("dry-run"), help: "Print `topic payload` lines to stdout instead of publishing.")
    var dryRun = false

    @Flag(help: "Publish as Sparkplug B edge nodes (one per plant area, meters as devices) instead of JSON.")
    var sparkplug = false

    @Option(name: .customLong("sparkplug-host"),
            help: "With --sparkplug: the primary host whose STATE the edge nodes wait for (default sparkplug.host_id; \"\" = none).")
    var sparkplugHost: String?

    func run() throws {
        do {
            try simulate()
        } catch {
            KlasterMain.fail(error)  // simulate() throws only KlasterError
        }
    }

    /// Largest `--meters`: 100,000 meters publish 200,000 series, far beyond the cluster.
    static let maxMeters = 100_000

    static func wallClock() -> EpochMillis {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return EpochMillis(ts.tv_sec) * 1000 + EpochMillis(ts.tv_nsec) / 1_000_000
    }

    private func simulate() throws(KlasterError) {
        // The fleet is built in memory (a few hundred bytes per meter and its
        // series); 10⁹ meters exhausted memory before the first message.
        guard (1...Self.maxMeters).contains(meters) else {
            throw KlasterError(.usage, "--meters must be between 1 and \(Self.maxMeters)", hint: "14 is the base fleet")
        }
        guard (0...2).contains(qos) else { throw KlasterError(.usage, "--qos must be 0, 1 or 2", hint: "1 is at least once") }
        guard rate > 0, rate.isFinite else { throw KlasterError(.usage, "--rate must be a positive number", hint: "readings per second, e.g. 100") }
        installStopHandlers()
        let config = try common.loadConfig()
        let fleet = FleetCatalog.meters(count: meters)
        let fixedNow = try now.map { s throws(KlasterError) in try TimeSpec.parse(s, now: Self.wallClock()) }
        let liveFor = try duration.map { s throws(KlasterError) in try DurationParser.parse(s) }
        let history = try backfill.map { s throws(KlasterError) in try DurationParser.parse(s) }
        let interval = try DurationParser.parse(backfillInterval)
        guard interval >= 1000 else { throw KlasterError(.usage, "--backfill-interval \(backfillInterval) is too short", hint: "use at least 1s, e.g. 15m") }
        let seriesCount = fleet.reduce(0) { $0 + $1.channels.count }
        let start = fixedNow ?? Self.wallClock()

        let firstSchedule: FleetSchedule
        if let history {
            firstSchedule = .backfill(from: start - history, to: start, interval: interval)
        } else {
            firstSchedule = try .live(start: start, readingsPerSecond: rate, seriesCount: seriesCount, end: liveFor.map { start + $0 })
        }
        var sim = FleetSimulator(meters: fleet, seed: seed, faults: faults ? .standard : .none, schedule: firstSchedule)
        if sparkplug {
            let host = sparkplugHost.map { $0.isEmpty ? nil : $0 } ?? config.sparkplug.hostID
            try SparkplugSimulation(config: config, host: dryRun ? nil : host, qos: 0,
                                    connect: { will throws(KlasterError) in try connect(config, will: will) })
                .run(&sim, history: history != nil, liveFor: liveFor, rate: rate, start: start, fixedNow: fixedNow,
                     dryRun: dryRun, stop: { simulateStopRequested.load(ordering: .relaxed) })
            return
        }

        let sink: any SimulatedMessageSink = dryRun ? StdoutSink() : try BrokerSink(connect(config), qos: qos)
        let began = Self.wallClock()
        if history != nil {
            while !simulateStopRequested.load(ordering: .relaxed), let m = sim.next() { try sink.send(m) }
            try sink.flush()
            if let liveFor, !simulateStopRequested.load(ordering: .relaxed) {
                let liveStart = fixedNow.map { $0 } ?? Self.wallClock()
                sim.reschedule(try .live(start: max(liveStart, start), readingsPerSecond: rate, seriesCount: seriesCount,
                                         end: max(liveStart, start) + liveFor))
                try publishLive(&sim, sink: sink, paced: fixedNow == nil)
            }
        } else {
            try publishLive(&sim, sink: sink, paced: fixedNow == nil)
        }
        try sink.flush()
        sink.close()
        let seconds = Double(Self.wallClock() - began) / 1000
        var report = "klaster simulate: \(sim.summary.messages) messages, \(sim.series.count) series, \(fleet.count) meters, seed \(seed), "
        report += "faults \(faults ? "on" : "off"), \(String(format: "%.1f", seconds)) s\n"
        for line in sim.summary.lines { report += "  \(line)\n" }
        // With --dry-run stdout carries the messages, so the summary goes to stderr.
        if dryRun { StandardOutput.note(report) } else { try StandardOutput.write(report) }
    }

    /// Publishes in real time: each message when the wall clock reaches its `sendAt`.
    private func publishLive(_ sim: inout FleetSimulator, sink: any SimulatedMessageSink, paced: Bool) throws(KlasterError) {
        while !simulateStopRequested.load(ordering: .relaxed), let m = sim.next() {
            if paced {
                let ahead = m.sendAt - Self.wallClock()
                if ahead > 0 {
                    var ts = timespec(tv_sec: Int(ahead / 1000), tv_nsec: Int(ahead % 1000) * 1_000_000)
                    nanosleep(&ts, nil)
                }
            }
            try sink.send(m)
        }
    }

    private func connect(_ config: KlasterConfig, will: MQTTPublisher.Will? = nil) throws(KlasterError) -> MQTTPublisher {
        var m = config.mqtt
        if let broker { m.url = broker }
        if let username { m.username = username }
        if let passwordFile { m.passwordFile = passwordFile }
        if let caFile { m.caFile = caFile }
        if let certFile { m.certFile = certFile }
        if let keyFile { m.keyFile = keyFile }
        if tlsInsecure { m.tlsInsecure = true }
        var options = try MQTTConnectionOptions(config: m, environment: ProcessInfo.processInfo.environment)
        // A publisher needs no persistent session; a random id cannot collide with the daemon's.
        options.clientID = nil
        options.cleanSession = true
        options.sessionExpirySeconds = 0
        return try MQTTPublisher(options: options, will: will)
    }

    private func installStopHandlers() {
        let handler: @convention(c) (Int32) -> Void = { _ in simulateStopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}

/// Where `klaster simulate` sends messages: the broker, or stdout (`--dry-run`).
private protocol SimulatedMessageSink {
    func send(_ m: SimMessage) throws(KlasterError)
    func flush() throws(KlasterError)
    func close()
}

private struct BrokerSink: SimulatedMessageSink {
    let publisher: MQTTPublisher
    let qos: Int32
    init(_ publisher: MQTTPublisher, qos: Int32) {
        self.publisher = publisher
        self.qos = qos
    }
    func send(_ m: SimMessage) throws(KlasterError) { try publisher.publish(topic: m.topic, payload: m.payload, qos: qos) }
    func flush() throws(KlasterError) { try publisher.flush(timeout: .seconds(120)) }
    func close() { publisher.disconnect() }
}

private final class StdoutSink: SimulatedMessageSink {
    private var buffer: [UInt8] = []
    func send(_ m: SimMessage) throws(KlasterError) {
        buffer.append(contentsOf: m.topic.utf8)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: m.payload)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count > 1 << 16 { try flush() }
    }
    func flush() throws(KlasterError) {
        guard !buffer.isEmpty else { return }
        try StandardOutput.writeBytes(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
    func close() {}
}
