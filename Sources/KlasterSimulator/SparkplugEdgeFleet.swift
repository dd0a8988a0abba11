import KlasterCore
import KlasterSparkplug

/// The NextGen fleet as Sparkplug B edge nodes: one edge node per plant area
/// (`pp-edge`, `reformer-edge`, …: the meter name's first part), its meters
/// as devices, each series a metric named by its quantity (so the host's
/// series keys equal the JSON fleet's: `<plant>/<meter>/<quantity>`), with
/// aliases, the node's seq (0–255, wrapping) and bdSeq.
///
/// A pure state machine: the caller feeds readings, the host's STATE and
/// commands, and publishes what comes back.
/// - While the host is offline (its STATE says so) readings are kept
///   (store-and-forward) and no BIRTH is sent; when it comes online every edge
///   node sends NBIRTH and DBIRTHs, then the kept readings as `is_historical`.
/// - An NCMD `Node Control/Rebirth` = true makes that node send its BIRTHs again.
public struct SparkplugEdgeFleet: Sendable {
    public struct Metric: Sendable, Equatable {
        public var name: String
        public var alias: UInt64
        public var unit: String
        public var type: SparkplugDataType
    }

    public struct Device: Sendable, Equatable {
        public var id: String
        public var metrics: [Metric]
    }

    public struct Node: Sendable, Equatable {
        public var group: String
        public var edge: String
        public var devices: [Device]
        /// The next message's seq.
        public var seq: UInt8 = 0
        /// bdSeq of the current session (its NDEATH will carries it).
        public var bdSeq: UInt64 = 0
        public var born = false
    }

    public private(set) var nodes: [Node] = []
    /// series key → (node, device, metric) indexes.
    private var where_: [String: (Int, Int, Int)] = [:]
    /// Host online (true when no primary host is watched).
    public private(set) var hostOnline: Bool
    /// Store-and-forward: readings kept while the host is offline, per node.
    private var stored: [[(device: Int, metric: Int, ts: EpochMillis, value: Double)]]
    /// Most readings kept per node; older ones are dropped first (counted).
    public let storeCapacity: Int
    public private(set) var droppedWhileOffline = 0
    public private(set) var storedReadings = 0

    /// - Parameters:
    ///   - series: The fleet's series (`FleetSimulator.series`).
    ///   - waitForHost: Start offline until a STATE online arrives (a primary host is configured).
    ///   - storeCapacity: Readings kept per edge node while the host is offline.
    public init(series: [SimulatedSeries], quantities: QuantityTable = QuantityTable(), waitForHost: Bool,
                storeCapacity: Int = 1_000_000) {
        hostOnline = !waitForHost
        self.storeCapacity = storeCapacity
        var nodeIndex: [String: Int] = [:]
        for s in series {
            let area = String(s.meter.split(separator: "-").first ?? Substring(s.meter))
            let edge = "\(area)-edge"
            let nk = "\(s.plant)/\(edge)"
            let n: Int
            if let i = nodeIndex[nk] { n = i } else {
                n = nodes.count
                nodeIndex[nk] = n
                nodes.append(Node(group: s.plant, edge: edge, devices: []))
            }
            let d: Int
            if let i = nodes[n].devices.firstIndex(where: { $0.id == s.meter }) { d = i } else {
                d = nodes[n].devices.count
                nodes[n].devices.append(Device(id: s.meter, metrics: []))
            }
            let alias = UInt64(nodes[n].devices.reduce(0) { $0 + $1.metrics.count } + 1)
            let m = nodes[n].devices[d].metrics.count
            nodes[n].devices[d].metrics.append(Metric(name: s.quantity, alias: alias, unit: quantities.spec(for: s.quantity).unit,
                                                      type: .double))
            where_[s.key] = (n, d, m)
        }
        stored = Array(repeating: [], count: nodes.count)
    }

    /// The NDEATH will of node `i` (set before it connects): its bdSeq.
    public func will(node i: Int) -> SimMessage {
        let n = nodes[i]
        let p = SparkplugPayload(metrics: [SparkplugMetric(name: "bdSeq", datatype: .int64, value: .long(n.bdSeq))])
        return SimMessage(topic: SparkplugTopic.message(group: n.group, type: .ndeath, edge: n.edge, device: nil).description,
                          payload: p.encoded(), sendAt: 0, faults: [])
    }

    private mutating func nextSeq(_ i: Int) -> UInt64 {
        let s = nodes[i].seq
        nodes[i].seq = s &+ 1
        return UInt64(s)
    }

    /// NBIRTH and the DBIRTHs of node `i` (seq restarts at 0), with each metric's last
    /// reading (`last`, by series key) at its own timestamp, or `is_null`.
    public mutating func births(node i: Int, now: EpochMillis, last: [String: (ts: EpochMillis, value: Double)] = [:]) -> [SimMessage] {
        nodes[i].seq = 0
        nodes[i].born = true
        let n = nodes[i]
        let ts = UInt64(max(0, now))
        var out: [SimMessage] = []
        let nbirth = SparkplugPayload(timestamp: ts, metrics: [
            SparkplugMetric(name: "bdSeq", timestamp: ts, datatype: .int64, value: .long(n.bdSeq)),
            SparkplugMetric(name: "Node Control/Rebirth", timestamp: ts, datatype: .boolean, value: .boolean(false)),
        ], seq: nextSeq(i))
        out.append(SimMessage(topic: SparkplugTopic.message(group: n.group, type: .nbirth, edge: n.edge, device: nil).description,
                              payload: nbirth.encoded(), sendAt: now, faults: []))
        for d in n.devices {
            let metrics = d.metrics.map { m in
                // The last reading with its own capture time (a host that stored it sees a duplicate).
                let l = last["\(n.group)/\(d.id)/\(m.name)"]
                return SparkplugMetric(name: m.name, alias: m.alias, timestamp: l.map { UInt64(max(0, $0.ts)) } ?? ts, datatype: m.type,
                                       isNull: l == nil,
                                       properties: m.unit.isEmpty ? nil : SparkplugPropertySet(keys: ["engUnit"], values: [.string(m.unit)]),
                                       value: l.map { .double($0.value) })
            }
            let p = SparkplugPayload(timestamp: ts, metrics: metrics, seq: nextSeq(i))
            out.append(SimMessage(topic: SparkplugTopic.message(group: n.group, type: .dbirth, edge: n.edge, device: d.id).description,
                                  payload: p.encoded(), sendAt: now, faults: []))
        }
        return out
    }

    /// One device scan: the readings of `key`s taken at `ts`, as one DDATA
    /// per device — or kept for later while the host is offline.
    /// - Returns: The messages to publish now (none while offline or before birth).
    public mutating func data(_ readings: [(key: String, ts: EpochMillis, value: Double)], now: EpochMillis) -> [SimMessage] {
        var byDevice: [Int: [Int: [SparkplugMetric]]] = [:]
        for r in readings {
            guard let (n, d, m) = where_[r.key] else { continue }
            if !hostOnline || !nodes[n].born {
                if stored[n].count >= storeCapacity {
                    stored[n].removeFirst()
                    droppedWhileOffline += 1
                }
                stored[n].append((d, m, r.ts, r.value))
                storedReadings += 1
                continue
            }
            byDevice[n, default: [:]][d, default: []].append(
                SparkplugMetric(alias: nodes[n].devices[d].metrics[m].alias, timestamp: UInt64(max(0, r.ts)), value: .double(r.value)))
        }
        var out: [SimMessage] = []
        for n in byDevice.keys.sorted() {
            for d in byDevice[n]!.keys.sorted() {
                out.append(ddata(node: n, device: d, metrics: byDevice[n]![d]!, now: now))
            }
        }
        return out
    }

    private mutating func ddata(node n: Int, device d: Int, metrics: [SparkplugMetric], now: EpochMillis) -> SimMessage {
        let p = SparkplugPayload(timestamp: UInt64(max(0, now)), metrics: metrics, seq: nextSeq(n))
        return SimMessage(topic: SparkplugTopic.message(group: nodes[n].group, type: .ddata, edge: nodes[n].edge,
                                                        device: nodes[n].devices[d].id).description,
                          payload: p.encoded(), sendAt: now, faults: [])
    }

    /// The host's STATE message (`spBv1.0/STATE/<host>`).
    /// - Returns: On online: every node's BIRTHs, then its stored readings as
    ///   `is_historical` DDATA (at most 100 metrics per message).
    public mutating func hostState(online: Bool, now: EpochMillis, last: [String: (ts: EpochMillis, value: Double)] = [:]) -> [SimMessage] {
        let was = hostOnline
        hostOnline = online
        guard online, !was || nodes.contains(where: { !$0.born }) else { return [] }
        var out: [SimMessage] = []
        for i in nodes.indices {
            out += births(node: i, now: now, last: last)
            out += replay(node: i, now: now)
        }
        return out
    }

    /// The kept readings of node `i` as historical DDATA, oldest first.
    private mutating func replay(node i: Int, now: EpochMillis) -> [SimMessage] {
        var out: [SimMessage] = []
        var batch: [SparkplugMetric] = []
        var device = -1
        for r in stored[i] {
            if r.device != device || batch.count == 100 {
                if !batch.isEmpty { out.append(ddata(node: i, device: device, metrics: batch, now: now)) }
                batch = []
                device = r.device
            }
            batch.append(SparkplugMetric(alias: nodes[i].devices[r.device].metrics[r.metric].alias, timestamp: UInt64(max(0, r.ts)),
                                         isHistorical: true, value: .double(r.value)))
        }
        if !batch.isEmpty { out.append(ddata(node: i, device: device, metrics: batch, now: now)) }
        stored[i] = []
        return out
    }

    /// A command to one of the nodes (NCMD): `Node Control/Rebirth` = true answers with its BIRTHs.
    public mutating func command(topic: String, payload: [UInt8], now: EpochMillis, last: [String: (ts: EpochMillis, value: Double)] = [:]) -> [SimMessage] {
        guard case let .message(group, .ncmd, edge, nil)? = SparkplugTopic(topic),
              let i = nodes.firstIndex(where: { $0.group == group && $0.edge == edge }),
              let p = try? SparkplugPayload(decoding: payload),
              p.metrics.contains(where: { $0.name == "Node Control/Rebirth" && $0.value == .boolean(true) }),
              hostOnline else { return [] }
        return births(node: i, now: now, last: last)
    }

    /// Readings kept while the host is offline, all nodes.
    public var keptReadings: Int { stored.reduce(0) { $0 + $1.count } }
}
