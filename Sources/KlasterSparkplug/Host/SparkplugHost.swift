import KlasterCore

/// A series of a Sparkplug node or device going stale (NDEATH, DDEATH) or
/// fresh again (NBIRTH, DBIRTH).
public typealias SparkplugStaleChange = SeriesStaleMark

/// Klaster as a Sparkplug B host application: turns Sparkplug messages into
/// readings, and says what to publish and what to mark stale.
///
/// A state machine without I/O, driven on the network thread: `receive` for
/// each message, `tick` now and then (for `reorder_timeout`). What it decides
/// comes back in a `SparkplugHost.Output` for the caller to carry out.
///
/// - NBIRTH replaces the edge node's alias table and drops its devices';
///   DBIRTH replaces one device's. BIRTH values are stored like DATA.
/// - DATA resolves each metric by alias (or name) to the series
///   `<group>/<device or edge>/<quantity>`. An alias no BIRTH defined, DATA
///   before any NBIRTH, or a seq gap still open after `reorder_timeout` sends
///   a Rebirth NCMD (at most one per node per `rebirth_interval`); the
///   messages that cannot be resolved are dead-lettered, never guessed.
/// - NDEATH with the NBIRTH's bdSeq (else ignored) and DDEATH mark series stale.
/// - `is_transient` metrics are not stored, `is_null` ones skipped,
///   `is_historical` ones stored with their own timestamp (the aggregator's
///   late-data path). Int8…UInt64, Float, Double, Boolean are stored; other
///   types are dead-lettered `unsupported_type`.
///
/// Single-threaded (it holds the network thread's `SeriesResolver`).
public final class SparkplugHost {
    public struct Options: Sendable, Equatable {
        public var naming: SparkplugNaming
        /// A seq gap open this long (ms) releases what is held and asks for a Rebirth.
        public var reorderTimeout: Int64
        /// At most one Rebirth per edge node this often, ms.
        public var rebirthInterval: Int64
        /// A metric timestamp more than this ahead of the receive time is `future_ts`.
        public var maxFuture: Int64
        /// Messages held back per edge node while a gap is open.
        public var reorderCapacity: Int
        /// Deepest property-set nesting accepted.
        public var maxDepth: Int

        public init(naming: SparkplugNaming = SparkplugNaming(), reorderTimeout: Int64 = 2_000, rebirthInterval: Int64 = 5_000,
                    maxFuture: Int64 = 300_000, reorderCapacity: Int = 128, maxDepth: Int = SparkplugPayload.defaultMaxDepth) {
            self.naming = naming
            self.reorderTimeout = reorderTimeout
            self.rebirthInterval = rebirthInterval
            self.maxFuture = maxFuture
            self.reorderCapacity = reorderCapacity
            self.maxDepth = maxDepth
        }

        /// The options of `[sparkplug]` and `[ingest]`.
        public init(config: KlasterConfig) {
            self.init(naming: SparkplugNaming(metrics: config.sparkplug.metrics), reorderTimeout: config.sparkplug.reorderTimeout,
                      rebirthInterval: config.sparkplug.rebirthInterval, maxFuture: config.ingest.maxFuture)
        }
    }

    /// What the caller carries out after `receive` or `tick`.
    public struct Output {
        /// Readings to store, in order.
        public var readings: [Reading] = []
        /// Dead letters of messages *other than* the one just received: held-back
        /// messages released by a later message or by a timer.
        public var deadLetters: [DeadLetter] = []
        /// Commands to publish (QoS 0, not retained): Rebirth requests.
        public var commands: [SparkplugCommand] = []
        public var staleChanges: [SparkplugStaleChange] = []

        public init() {}

        public mutating func removeAll() {
            readings.removeAll(keepingCapacity: true)
            deadLetters.removeAll(keepingCapacity: true)
            commands.removeAll(keepingCapacity: true)
            staleChanges.removeAll(keepingCapacity: true)
        }

        public var isEmpty: Bool { readings.isEmpty && deadLetters.isEmpty && commands.isEmpty && staleChanges.isEmpty }
    }

    public let options: Options
    public let resolver: SeriesResolver
    private var nodes: [String: EdgeNode] = [:]
    /// Topics seen before → their parse (index into `parsedTopics`): a known
    /// topic costs no allocation. Bounded: past `maxCachedTopics` new topics are parsed each time.
    private let topicTable: ByteKeyTable
    private var parsedTopics: [ParsedTopic] = []
    private static let maxCachedTopics = 65_536

    private struct ParsedTopic {
        var key: String
        var group: String
        var type: SparkplugMessageType
        var edge: String
        var device: String?
    }
    private var rebirth: RebirthPolicy
    /// Nodes with messages held back (checked by `tick`).
    private var nodesWithGaps: Set<String> = []

    /// - Parameters:
    ///   - resolver: The network thread's series resolver (series are created on BIRTH).
    ///   - options: Naming, timeouts, limits.
    public init(resolver: SeriesResolver, options: Options) {
        self.resolver = resolver
        self.options = options
        rebirth = RebirthPolicy(interval: options.rebirthInterval)
        var seed = SystemRandomNumberGenerator()
        topicTable = ByteKeyTable(seed: seed.next(), initialCapacity: 256)
    }

    /// Number of edge nodes seen.
    public var nodeCount: Int { nodes.count }

    /// Handles one message received on a Sparkplug topic.
    /// - Parameters:
    ///   - topic: The MQTT topic.
    ///   - payload: The protobuf payload (borrowed; copied only if held back).
    ///   - receivedAt: Receive time, epoch ms (also the clock of timeouts).
    ///   - out: Where readings, commands, stale marks and other messages' dead letters go.
    /// - Returns: `nil` when this message was valid (or held back for now),
    ///   else its first problem: the caller dead-letters it whole; readings
    ///   that were valid on their own are already in `out`.
    public func receive(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis,
                        into out: inout Output) -> ParseRejection? {
        let known: ParsedTopic
        if let i = topicTable.find(topic) {
            known = parsedTopics[Int(i)]
        } else {
            guard let parsed = SparkplugTopic(topic) else {
                let t = String(decoding: topic.prefix(200), as: UTF8.self)
                return ParseRejection(.badTopic, "topic '\(t)' is not spBv1.0/<group>/<type>/<edge>[/<device>]")
            }
            guard case let .message(group, type, edge, device) = parsed else {
                return nil  // a host's STATE (ours or another's): protocol, not data
            }
            known = ParsedTopic(key: "\(group)/\(edge)", group: group, type: type, edge: edge, device: device)
            if parsedTopics.count < Self.maxCachedTopics {
                topicTable.insert(topic, id: SeriesID(parsedTopics.count))
                parsedTopics.append(known)
            }
        }
        let (key, group, type, edge, device) = (known.key, known.group, known.type, known.edge, known.device)
        if type == .ncmd || type == .dcmd { return nil }  // commands to edge nodes (ours or another host's)
        let header: SparkplugHeader
        do throws(WireError) {
            header = try SparkplugScanner.header(payload)
        } catch {
            return Self.rejection(error)
        }
        switch type {
        case .nbirth:
            let node = nodes[key] ?? EdgeNode(group: group, edge: edge, reorderCapacity: options.reorderCapacity)
            let held = node.seq.restart(birthSeq: UInt8(truncatingIfNeeded: header.seq ?? 0))
            nodes[key] = node
            nodesWithGaps.remove(key)
            processReleased(held, key: key, into: &out)
            return nodeBirth(key: key, payload: payload, header: header, receivedAt: receivedAt, into: &out)
        case .ndeath:
            return nodeDeath(key: key, payload: payload, receivedAt: receivedAt, into: &out)
        default:
            guard let node = nodes[key], node.online else {
                requestRebirth(group: group, edge: edge, now: receivedAt, into: &out)
                return ParseRejection(.noBirth, "\(type.rawValue) from \(key) before its NBIRTH; Rebirth requested")
            }
            guard let seq = header.seq else {
                return process(type: type, key: key, device: device, payload: payload, header: header,
                               receivedAt: receivedAt, into: &out)
            }
            let s = UInt8(truncatingIfNeeded: seq)
            switch node.seq.admit(seq: s) {
            case .processNow(let drain):
                let r = process(type: type, key: key, device: device, payload: payload, header: header,
                                receivedAt: receivedAt, into: &out)
                if drain {
                    let released = node.seq.drainReady()
                    if node.seq.pendingCount == 0 { nodesWithGaps.remove(key) }
                    processReleased(released.messages, key: key, into: &out)
                }
                return r
            case .hold:
                let held = HeldMessage(topic: String(decoding: topic, as: UTF8.self), type: type, device: device,
                                       payload: Array(payload), receivedAt: receivedAt)
                let released = node.seq.hold(held, seq: s, now: receivedAt, timeout: options.reorderTimeout)
                nodesWithGaps.insert(key)
                release(released, key: key, now: receivedAt, into: &out)
                return nil
            }
        }
    }

    /// String form of `receive` (tests).
    public func receive(topic: String, payload: [UInt8], receivedAt: EpochMillis, into out: inout Output) -> ParseRejection? {
        var t = topic
        return t.withUTF8 { tb in
            payload.withUnsafeBytes { pb in receive(topic: UnsafeRawBufferPointer(tb), payload: pb, receivedAt: receivedAt, into: &out) }
        }
    }

    /// Releases what waited too long behind a seq gap and asks those nodes to rebirth.
    /// - Parameter now: Wall clock, epoch ms (same clock as `receivedAt`).
    public func tick(now: EpochMillis, into out: inout Output) {
        guard !nodesWithGaps.isEmpty else { return }
        for key in nodesWithGaps {
            guard let node = nodes[key] else { continue }
            let released = node.seq.expire(now: now, timeout: options.reorderTimeout)
            release(released, key: key, now: now, into: &out)
        }
        nodesWithGaps = nodesWithGaps.filter { (nodes[$0]?.seq.pendingCount ?? 0) > 0 }
    }

    // MARK: - Transitions

    private func release(_ r: SeqTracker<HeldMessage>.Release, key: String, now: EpochMillis, into out: inout Output) {
        guard !r.messages.isEmpty || r.gapExpired else { return }
        if r.gapExpired, let node = nodes[key] {
            requestRebirth(group: node.group, edge: node.edge, now: now, into: &out)
        }
        if nodes[key]?.seq.pendingCount == 0 { nodesWithGaps.remove(key) }
        processReleased(r.messages, key: key, into: &out)
    }

    /// Processes held-back messages; their problems become dead letters in `out`.
    private func processReleased(_ messages: [HeldMessage], key: String, into out: inout Output) {
        for m in messages {
            let rejection: ParseRejection? = m.payload.withUnsafeBytes { p in
                let header: SparkplugHeader
                do throws(WireError) { header = try SparkplugScanner.header(p) } catch { return Self.rejection(error) }
                if nodes[key]?.online != true {
                    return ParseRejection(.noBirth, "\(m.type.rawValue) from \(key) held back past its NDEATH")
                }
                return process(type: m.type, key: key, device: m.device, payload: p, header: header,
                               receivedAt: m.receivedAt, into: &out)
            }
            if let rejection {
                out.deadLetters.append(DeadLetter(topic: m.topic, payload: m.payload, receivedAt: m.receivedAt,
                                                  reason: rejection.reason, detail: rejection.detail))
            }
        }
    }

    /// DBIRTH, DDATA, DDEATH, NDATA of an online node, in seq order.
    private func process(type: SparkplugMessageType, key: String, device: String?, payload: UnsafeRawBufferPointer,
                         header: SparkplugHeader, receivedAt: EpochMillis, into out: inout Output) -> ParseRejection? {
        guard let node = nodes[key] else { return ParseRejection(.noBirth, "\(type.rawValue) from \(key) before its NBIRTH") }
        switch type {
        case .ndata:
            return emitData(table: node.nodeMetrics, key: key, what: "NDATA", payload: payload, header: header,
                            receivedAt: receivedAt, into: &out)
        case .dbirth:
            guard let device else { return ParseRejection(.badTopic, "DBIRTH without a device id") }
            var sink = RejectionSink()
            let table = buildTable(group: node.group, meter: device, payload: payload, sink: &sink)
            node.devices[device] = table
            for s in table.series { out.staleChanges.append(SparkplugStaleChange(series: s, stale: false, at: receivedAt)) }
            if let r = emitData(table: table, key: key, what: "DBIRTH", payload: payload, header: header,
                                receivedAt: receivedAt, into: &out) { sink.note(r) }
            return sink.first
        case .ddata:
            guard let device, let table = node.devices[device] else {
                requestRebirth(group: node.group, edge: node.edge, now: receivedAt, into: &out)
                return ParseRejection(.noBirth, "DDATA from \(key)/\(device ?? "") before its DBIRTH; Rebirth requested")
            }
            return emitData(table: table, key: key, what: "DDATA", payload: payload, header: header,
                            receivedAt: receivedAt, into: &out)
        case .ddeath:
            guard let device, let table = node.devices.removeValue(forKey: device) else { return nil }
            for s in table.series { out.staleChanges.append(SparkplugStaleChange(series: s, stale: true, at: receivedAt)) }
            return nil
        default:
            return nil
        }
    }

    private func nodeBirth(key: String, payload: UnsafeRawBufferPointer, header: SparkplugHeader, receivedAt: EpochMillis,
                           into out: inout Output) -> ParseRejection? {
        guard let node = nodes[key] else { return nil }
        var sink = RejectionSink()
        node.nodeMetrics = buildTable(group: node.group, meter: node.edge, payload: payload, sink: &sink)
        node.devices = [:]
        node.online = true
        node.bdSeq = Self.bdSeq(payload)
        for s in node.nodeMetrics.series { out.staleChanges.append(SparkplugStaleChange(series: s, stale: false, at: receivedAt)) }
        if let r = emitData(table: node.nodeMetrics, key: key, what: "NBIRTH", payload: payload, header: header,
                            receivedAt: receivedAt, into: &out) { sink.note(r) }
        return sink.first
    }

    private func nodeDeath(key: String, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis, into out: inout Output) -> ParseRejection? {
        guard let node = nodes[key], node.online else { return nil }
        let death = Self.bdSeq(payload)
        if let current = node.bdSeq, let death, current != death {
            return nil  // the will of an older session: ignored (Sparkplug 3.0)
        }
        let held = node.seq.stop()
        nodesWithGaps.remove(key)
        processReleased(held, key: key, into: &out)
        for s in node.allSeries { out.staleChanges.append(SparkplugStaleChange(series: s, stale: true, at: receivedAt)) }
        node.online = false
        node.devices = [:]
        return nil
    }

    /// The alias table a BIRTH defines (series created in the resolver).
    private func buildTable(group: String, meter: String, payload: UnsafeRawBufferPointer, sink: inout RejectionSink) -> AliasTable {
        var table = AliasTable()
        do throws(WireError) {
            try SparkplugScanner.forEachMetric(payload) { m in
                guard let nameRange = m.name else {
                    sink.note(ParseRejection(.malformedProtobuf, "BIRTH metric \(m.index) has no name"))
                    return
                }
                guard let name = String(validating: UnsafeRawBufferPointer(rebasing: payload[nameRange]), as: UTF8.self) else {
                    sink.note(ParseRejection(.invalidUTF8, "BIRTH metric \(m.index): name is not valid UTF-8"))
                    return
                }
                let type = m.datatype.flatMap(SparkplugDataType.init(rawValue:)) ?? .unknown
                var entry = MetricEntry(kind: .unsupported, dataType: type, isTransient: m.isTransient)
                if SparkplugNaming.isProtocolMetric(name) {
                    entry.kind = .protocolMetric
                } else if type.isStored {
                    var unit: String? = nil
                    if let pr = m.properties {
                        do throws(WireError) {
                            unit = try SparkplugPropertySet(payload, pr, depth: 1, maxDepth: options.maxDepth).engUnit
                        } catch {
                            sink.note(Self.rejection(error))
                        }
                    }
                    let quantity = options.naming.quantity(for: name)
                    if let id = resolver.resolve(plant: group, meter: meter, quantity: quantity, fallbackUnit: unit) {
                        entry.kind = .stored(id)
                    } else {
                        entry.kind = .unnamed
                    }
                }
                if !table.define(name: name, alias: m.alias, entry: entry) {
                    sink.note(ParseRejection(.malformedProtobuf, "BIRTH defines alias \(m.alias ?? 0) twice (metric '\(name)')"))
                }
            }
        } catch {
            sink.note(Self.rejection(error))
        }
        return table
    }

    /// Emits the readings of a BIRTH's or DATA's metrics through `table`.
    private func emitData(table: AliasTable, key: String, what: StaticString, payload: UnsafeRawBufferPointer,
                          header: SparkplugHeader, receivedAt: EpochMillis, into out: inout Output) -> ParseRejection? {
        var sink = RejectionSink()
        var unknown = false
        let fallbackTs = header.timestamp
        let maxTs = receivedAt + options.maxFuture
        do throws(WireError) {
            try SparkplugScanner.forEachMetric(payload) { m in
                let index: Int?
                if let a = m.alias {
                    index = table.index(alias: a)
                } else if let n = m.name, let name = String(validating: UnsafeRawBufferPointer(rebasing: payload[n]), as: UTF8.self) {
                    index = table.index(name: name)
                } else {
                    index = nil
                }
                guard let index else {
                    unknown = true
                    sink.note(ParseRejection(.unknownAlias, "\(what) metric \(m.index): alias \(m.alias.map(String.init) ?? "none") not defined by a BIRTH of \(key); Rebirth requested"))
                    return
                }
                let entry = table.entries[index]
                if m.isNull || m.isTransient || entry.isTransient { return }
                let series: SeriesID
                switch entry.kind {
                case .protocolMetric: return
                case .stored(let s): series = s
                case .unsupported:
                    sink.note(ParseRejection(.unsupportedType, "\(what) metric '\(table.names[index])': \(entry.dataType.name) metrics are not stored"))
                    return
                case .unnamed:
                    sink.note(ParseRejection(.badTopic, "\(what) metric '\(table.names[index])' gives no valid series key"))
                    return
                }
                let type = m.datatype.flatMap(SparkplugDataType.init(rawValue:)) ?? entry.dataType
                let value: Double
                switch SparkplugValueConversion.double(m.value, type: type) {
                case .success(let v): value = v
                case .failure(let r):
                    sink.note(ParseRejection(r.reason, "\(what) metric '\(table.names[index])': \(r.detail)"))
                    return
                }
                let raw = m.timestamp ?? fallbackTs ?? UInt64(max(0, receivedAt))
                guard raw <= Self.maxTimestamp else {
                    sink.note(ParseRejection(.badTimestamp, "\(what) metric '\(table.names[index])': timestamp \(raw) is after 9999-12-31"))
                    return
                }
                let ts = EpochMillis(raw)
                guard ts <= maxTs else {
                    sink.note(ParseRejection(.futureTs, "\(what) metric '\(table.names[index])': timestamp \(ts) is \(ts - receivedAt) ms ahead of the receive time"))
                    return
                }
                out.readings.append(Reading(series: series, ts: ts, value: value == 0 ? 0 : value))
            }
        } catch {
            sink.note(Self.rejection(error))
        }
        if unknown, let node = nodes[key] {
            requestRebirth(group: node.group, edge: node.edge, now: receivedAt, into: &out)
        }
        return sink.first
    }

    private func requestRebirth(group: String, edge: String, now: EpochMillis, into out: inout Output) {
        if rebirth.shouldRequest(node: "\(group)/\(edge)", now: now) {
            out.commands.append(.rebirth(group: group, edge: edge, now: now))
        }
    }

    /// The `bdSeq` metric of an NBIRTH or NDEATH, if it has one.
    static func bdSeq(_ payload: UnsafeRawBufferPointer) -> UInt64? {
        var found: UInt64?
        try? SparkplugScanner.forEachMetric(payload) { m in
            guard found == nil, let n = m.name, n.count == 5,
                  payload[n].elementsEqual("bdSeq".utf8) else { return }
            switch m.value {
            case .long(let v): found = v
            case .int(let v): found = UInt64(v)
            default: break
            }
        }
        return found
    }

    /// 9999-12-31T23:59:59.999Z.
    static let maxTimestamp: UInt64 = 253_402_300_799_999

    static func rejection(_ e: WireError) -> ParseRejection {
        switch e.kind {
        case .tooDeep: ParseRejection(.tooDeep, e.description)
        case .invalidUTF8: ParseRejection(.invalidUTF8, e.description)
        default: ParseRejection(.malformedProtobuf, e.description)
        }
    }
}

/// Keeps the first rejection of a message.
struct RejectionSink {
    var first: ParseRejection?

    @inline(__always)
    mutating func note(_ r: ParseRejection) {
        if first == nil { first = r }
    }
}

@available(*, unavailable, message: "SparkplugHost lives on the network thread only")
extension SparkplugHost: Sendable {}
