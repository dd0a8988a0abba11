import Foundation
import KlasterCore
import KlasterMQTT
import KlasterSimulator
import KlasterSparkplug

#if canImport(Glibc)
import Glibc
#endif

/// `klaster simulate --sparkplug`: the fleet's readings as Sparkplug B edge
/// nodes (`SparkplugEdgeFleet`), one MQTT connection per node with its NDEATH
/// as the will; waits for the primary host's STATE online (keeping readings
/// meanwhile: store-and-forward), answers Rebirth NCMDs.
struct SparkplugSimulation {
    let config: KlasterConfig
    /// The primary host to wait for; `nil` = publish at once.
    let host: String?
    let qos: Int32
    let connect: (MQTTPublisher.Will?) throws(KlasterError) -> MQTTPublisher

    func run(_ sim: inout FleetSimulator, history: Bool, liveFor: Int64?, rate: Double, start: EpochMillis, fixedNow: EpochMillis?,
             dryRun: Bool, stop: () -> Bool) throws(KlasterError) {
        var edges = SparkplugEdgeFleet(series: sim.series, quantities: config.quantities, waitForHost: host != nil)
        var publishers: [MQTTPublisher] = []
        var nodeOf: [String: Int] = [:]
        for (i, n) in edges.nodes.enumerated() { nodeOf["\(n.group)/\(n.edge)"] = i }
        if !dryRun {
            for i in edges.nodes.indices {
                let w = edges.will(node: i)
                let p = try connect(MQTTPublisher.Will(topic: w.topic, payload: w.payload, qos: 1, retain: false))
                let n = edges.nodes[i]
                try p.subscribe(SparkplugTopic.message(group: n.group, type: .ncmd, edge: n.edge, device: nil).description, qos: 1)
                if i == 0, let host { try p.subscribe(SparkplugTopic.state(hostID: host).description, qos: 1) }
                publishers.append(p)
            }
        }
        var published = 0
        var out = FileHandleBuffer()
        func send(_ ms: [SimMessage]) throws(KlasterError) {
            for m in ms {
                published += 1
                if dryRun {
                    out.append(m.topic + " " + m.payload.map { String($0, radix: 16).leftPad(2) }.joined() + "\n")
                    continue
                }
                guard let parts = SparkplugTopic(m.topic), case let .message(g, _, e, _) = parts, let i = nodeOf["\(g)/\(e)"] else { continue }
                try publishers[i].publish(topic: m.topic, payload: m.payload, qos: qos)
            }
        }
        let resolver = SeriesResolver(pattern: .default, quantities: config.quantities, known: [])
        let parser = PayloadParser(maxFuture: .max)
        var last: [String: (ts: EpochMillis, value: Double)] = [:]
        var readingCount = 0
        var scan: [(key: String, ts: EpochMillis, value: Double)] = []
        var scanMeter = ""
        var scanTs: EpochMillis = .min
        func now() -> EpochMillis { fixedNow ?? SimulateCommand.wallClock() }
        if host == nil { for i in edges.nodes.indices { try send(edges.births(node: i, now: now())) } }

        func pollInbox() throws(KlasterError) {
            for p in publishers {
                for (topic, payload) in p.takeMessages() {
                    if case .state? = SparkplugTopic(topic), let s = SparkplugHostState.parse(payload) {
                        try send(edges.hostState(online: s.online, now: now(), last: last))
                    } else {
                        try send(edges.command(topic: topic, payload: payload, now: now(), last: last))
                    }
                }
            }
        }
        func flushScan() throws(KlasterError) {
            guard !scan.isEmpty else { return }
            try send(edges.data(scan, now: now()))
            scan.removeAll(keepingCapacity: true)
        }
        var schedule = !history
        var liveStarted = false
        while !stop() {
            guard let m = sim.next() else {
                try flushScan()
                // After a backfill, an optional live phase.
                guard history, let liveFor, !liveStarted else { break }
                liveStarted = true
                let s = max(fixedNow ?? SimulateCommand.wallClock(), start)
                sim.reschedule(try .live(start: s, readingsPerSecond: rate, seriesCount: sim.series.count, end: s + liveFor))
                schedule = true
                continue
            }
            if schedule && fixedNow == nil {
                let ahead = m.sendAt - SimulateCommand.wallClock()
                if ahead > 0 {
                    try flushScan()
                    try pollInbox()
                    var ts = timespec(tv_sec: Int(ahead / 1000), tv_nsec: Int(ahead % 1000) * 1_000_000)
                    nanosleep(&ts, nil)
                }
            }
            var readings: [Reading] = []
            _ = parser.parse(payload: m.payload, topic: m.topic, receivedAt: m.sendAt, resolver: resolver) { readings.append($0) }
            for r in readings {
                guard let key = resolver.info(for: r.series)?.key else { continue }
                let meter = String(key.split(separator: "/").dropLast().joined(separator: "/"))
                if meter != scanMeter || r.ts != scanTs { try flushScan() }
                scanMeter = meter
                scanTs = r.ts
                last[key] = (r.ts, r.value)
                readingCount += 1
                scan.append((key, r.ts, r.value))
            }
            if published % 64 == 0 { try pollInbox() }
        }
        try flushScan()
        try pollInbox()
        // A clean stop: each node's NDEATH, then disconnect.
        for i in edges.nodes.indices where !dryRun {
            let w = edges.will(node: i)
            try publishers[i].publish(topic: w.topic, payload: w.payload, qos: 1)
        }
        for p in publishers {
            try p.flush(timeout: .seconds(120))
            p.disconnect()
        }
        out.flush()
        var report = "klaster simulate --sparkplug: \(readingCount) readings in \(published) messages, \(edges.nodes.count) edge nodes, "
        report += "\(edges.nodes.reduce(0) { $0 + $1.devices.count }) devices, \(sim.series.count) metrics"
        if edges.storedReadings > 0 { report += ", \(edges.storedReadings) readings stored while the host was offline" }
        if edges.keptReadings > 0 { report += ", \(edges.keptReadings) still kept (host never came online)" }
        if edges.droppedWhileOffline > 0 { report += ", \(edges.droppedWhileOffline) dropped (store full)" }
        (dryRun ? FileHandle.standardError : FileHandle.standardOutput).write(Data((report + "\n").utf8))
    }
}

/// Buffered stdout for `--dry-run`.
private struct FileHandleBuffer {
    private var buffer: [UInt8] = []
    mutating func append(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count > 1 << 16 { flush() }
    }
    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
