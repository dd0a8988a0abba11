/// Interns topics and series keys to small `SeriesID`s on the network thread.
///
/// Seeded from the store's known series so ids are stable across restarts; a
/// new series gets `max(known ids) + 1` (1 when nothing is known) and is
/// reported once by `takeNewSeries()`, with kind and unit from the
/// `QuantityTable` and plant/quantity from the `{plant}`/`{quantity}` levels.
///
/// A *known* topic resolves without heap allocation: an open-addressing table
/// keyed by the exact topic bytes. Only the first message of a topic matches
/// the pattern and builds strings.
///
/// Single-threaded by design (it lives on the network thread), hence not Sendable.
public final class SeriesResolver {
    /// The topic pattern that names series.
    public let pattern: TopicPattern
    /// Where new series get their kind and unit.
    public let quantities: QuantityTable
    private let topics: ByteKeyTable
    private let keys: ByteKeyTable
    private var infos: [SeriesID: SeriesInfo]
    private var created: [SeriesInfo] = []
    private var nextID: SeriesID
    /// Reused buffer for line-protocol keys `plant/meter/quantity` (owned; freed in deinit).
    private var scratch: UnsafeMutableRawPointer
    private var scratchCapacity = 256
    /// `ingest.max_series`.
    public let maxSeries: Int
    private let tooMany: ParseRejection

    /// - Parameters:
    ///   - pattern: The configured topic pattern.
    ///   - quantities: Kinds and units for new series.
    ///   - known: Series already in the store (their ids are kept).
    ///   - maxSeries: No new series once this many are known (config
    ///     `ingest.max_series`); their messages are `too_many_series`.
    public init(pattern: TopicPattern, quantities: QuantityTable, known: [SeriesInfo], maxSeries: Int = .max) {
        self.maxSeries = maxSeries
        self.tooMany = ParseRejection(.tooManySeries, "no new series: ingest.max_series (\(maxSeries)) are known")
        self.pattern = pattern
        self.quantities = quantities
        var seed = SystemRandomNumberGenerator()
        topics = ByteKeyTable(seed: seed.next(), initialCapacity: max(1024, known.count * 2))
        let keys = ByteKeyTable(seed: seed.next(), initialCapacity: max(1024, known.count * 2))
        var infos: [SeriesID: SeriesInfo] = [:]
        var maxID: SeriesID = 0
        for info in known {
            var key = info.key
            key.withUTF8 { k in
                if keys.find(UnsafeRawBufferPointer(k)) == nil { keys.insert(UnsafeRawBufferPointer(k), id: info.id) }
            }
            infos[info.id] = info
            maxID = max(maxID, info.id)
        }
        self.keys = keys
        self.infos = infos
        nextID = maxID == SeriesID.max ? SeriesID.max : maxID + 1
        scratch = .allocate(byteCount: 256, alignment: 8)
    }

    deinit {
        scratch.deallocate()
    }

    /// Number of series known (seeded plus created).
    public var count: Int { infos.count }

    /// What is known about series `id`.
    public func info(for id: SeriesID) -> SeriesInfo? { infos[id] }

    /// The series of an MQTT topic.
    /// - Returns: Its id, or `nil` when the topic does not match the pattern or
    ///   breaks `SeriesKeyRules` (`resolveOrReject(topic:)` says why).
    /// - Complexity: O(topic length); no allocation for a topic seen before.
    @inline(__always)
    public func resolve(topic: UnsafeRawBufferPointer) -> SeriesID? {
        if let id = topics.find(topic) { return id }
        return try? resolveNewTopic(topic).get()
    }

    /// The series of an MQTT topic, or why it has none: `bad_topic` (no match,
    /// a level `SeriesKeyRules` refuses, the id space exhausted) or `invalid_utf8`.
    /// - Complexity: O(topic length); no allocation for a topic seen before.
    @inline(__always)
    public func resolveOrReject(topic: UnsafeRawBufferPointer) -> Result<SeriesID, ParseRejection> {
        if let id = topics.find(topic) { return .success(id) }
        return resolveNewTopic(topic)
    }

    /// The series of a topic given as a String (tests, import).
    public func resolve(topic: String) -> SeriesID? {
        var t = topic
        return t.withUTF8 { resolve(topic: UnsafeRawBufferPointer($0)) }
    }

    private func resolveNewTopic(_ topic: UnsafeRawBufferPointer) -> Result<SeriesID, ParseRejection> {
        let values: [String]
        switch pattern.values(of: topic) {
        case .success(let v): values = v
        case .failure(let r): return .failure(r)
        }
        let plant = pattern.plantIndex.map { values[$0] }
        let quantity = pattern.quantityIndex.map { values[$0] }
        var key = pattern.seriesKey(values)
        let id = key.withUTF8 { k in
            intern(key: UnsafeRawBufferPointer(k)) { SeriesInfo(id: $0, key: String(decoding: k, as: UTF8.self), plant: plant,
                                                               quantity: quantity, kind: quantities.spec(for: quantity).kind,
                                                               unit: quantities.spec(for: quantity).unit) }
        }
        guard case .success(let id) = id else { return id }
        topics.insert(topic, id: id)
        return .success(id)
    }

    private static let full = ParseRejection(.badTopic, "no series id left (\(SeriesID.max - 1) series)")

    /// The series `plant/meter/quantity` (line protocol: tags `plant`, `meter`, the field name).
    /// - Returns: Its id, or `nil` when a part breaks `SeriesKeyRules`
    ///   (`resolveOrReject(plant:meter:quantity:)` says why).
    /// - Complexity: No allocation for a series seen before (the key is built in a reused buffer).
    /// - Parameter fallbackUnit: The unit of a new series whose quantity has none (Sparkplug's `engUnit`).
    public func resolve(plant: UnsafeRawBufferPointer, meter: UnsafeRawBufferPointer, quantity: UnsafeRawBufferPointer,
                        fallbackUnit: String? = nil) -> SeriesID? {
        try? resolveOrReject(plant: plant, meter: meter, quantity: quantity, fallbackUnit: fallbackUnit).get()
    }

    /// The series `plant/meter/quantity`, or why it has none (`bad_topic`, `invalid_utf8`).
    public func resolveOrReject(plant: UnsafeRawBufferPointer, meter: UnsafeRawBufferPointer,
                                quantity: UnsafeRawBufferPointer, fallbackUnit: String? = nil) -> Result<SeriesID, ParseRejection> {
        // Cheap part of the rules first, so that parts holding `/` can never
        // join into some other known key; the full rules run for a new key only.
        for (i, part) in [plant, meter, quantity].enumerated() where part.isEmpty || part.contains(UInt8(ascii: "/")) {
            return .failure(SeriesKeyRules.check(level: part, position: i + 1) ?? ParseRejection(.badTopic, "series key level \(i + 1) is empty"))
        }
        let n = plant.count + meter.count + quantity.count + 2
        if n > scratchCapacity {
            // A key this long is refused below; check before growing the buffer for it.
            if let r = SeriesKeyRules.checkLength(n) { return .failure(r) }
            scratch.deallocate()
            scratchCapacity = max(n, scratchCapacity * 2)
            scratch = .allocate(byteCount: scratchCapacity, alignment: 8)
        }
        scratch.copyMemory(from: plant.baseAddress!, byteCount: plant.count)
        scratch.storeBytes(of: UInt8(ascii: "/"), toByteOffset: plant.count, as: UInt8.self)
        (scratch + plant.count + 1).copyMemory(from: meter.baseAddress!, byteCount: meter.count)
        scratch.storeBytes(of: UInt8(ascii: "/"), toByteOffset: plant.count + 1 + meter.count, as: UInt8.self)
        (scratch + plant.count + meter.count + 2).copyMemory(from: quantity.baseAddress!, byteCount: quantity.count)
        let k = UnsafeRawBufferPointer(start: scratch, count: n)
        if let id = keys.find(k) { return .success(id) }
        for (i, part) in [plant, meter, quantity].enumerated() {
            if let r = SeriesKeyRules.check(level: part, position: i + 1) { return .failure(r) }
        }
        if let r = SeriesKeyRules.checkLength(n) { return .failure(r) }
        let key = String(decoding: k, as: UTF8.self)
        let p = String(decoding: plant, as: UTF8.self)
        let q = String(decoding: quantity, as: UTF8.self)
        let spec = quantities.spec(for: q)
        let unit = spec.unit.isEmpty ? (fallbackUnit ?? "") : spec.unit
        return intern(key: k, make: { SeriesInfo(id: $0, key: key, plant: p, quantity: q, kind: spec.kind, unit: unit) })
    }

    /// String form of `resolve(plant:meter:quantity:)`.
    public func resolve(plant: String, meter: String, quantity: String, fallbackUnit: String? = nil) -> SeriesID? {
        let p = Array(plant.utf8), m = Array(meter.utf8), q = Array(quantity.utf8)
        return p.withUnsafeBytes { pb in m.withUnsafeBytes { mb in q.withUnsafeBytes { qb in
            resolve(plant: pb, meter: mb, quantity: qb, fallbackUnit: fallbackUnit)
        } } }
    }

    /// Series created since the previous call (each reported once), in creation order.
    public func takeNewSeries() -> [SeriesInfo] {
        defer { created = [] }
        return created
    }

    private func intern(key: UnsafeRawBufferPointer, make: (SeriesID) -> SeriesInfo) -> Result<SeriesID, ParseRejection> {
        if let id = keys.find(key) { return .success(id) }
        guard nextID != SeriesID.max else { return .failure(Self.full) }
        // The cap on per-series memory: a gateway varying one topic level
        // inside its ACL must not grow the daemon without bound.
        guard infos.count < maxSeries else { return .failure(tooMany) }
        let id = nextID
        nextID += 1
        let info = make(id)
        keys.insert(key, id: id)
        infos[id] = info
        created.append(info)
        return .success(id)
    }
}

@available(*, unavailable, message: "SeriesResolver lives on the network thread only")
extension SeriesResolver: Sendable {}
