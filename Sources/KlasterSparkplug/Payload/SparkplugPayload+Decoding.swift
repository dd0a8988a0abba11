extension SparkplugPayload {
    /// Deepest nesting of property sets accepted by default (a property set
    /// inside a property value inside a property set … counts one per set).
    public static let defaultMaxDepth = 8

    /// Decodes a whole payload into owned values (BIRTH processing, tests).
    /// - Parameters:
    ///   - bytes: The protobuf payload.
    ///   - maxDepth: Deepest accepted nesting of property sets.
    /// - Throws: `WireError` for malformed wire format, invalid UTF-8 in a
    ///   string, or property sets nested deeper than `maxDepth`.
    public init(decoding bytes: UnsafeRawBufferPointer, maxDepth: Int = SparkplugPayload.defaultMaxDepth) throws(WireError) {
        let h = try SparkplugScanner.header(bytes)
        var metrics: [SparkplugMetric] = []
        metrics.reserveCapacity(h.metricCount)
        var failure: WireError? = nil
        try SparkplugScanner.forEachMetric(bytes) { view in
            guard failure == nil else { return }
            do throws(WireError) {
                metrics.append(try SparkplugMetric(view, in: bytes, maxDepth: maxDepth))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        self.init(timestamp: h.timestamp, metrics: metrics, seq: h.seq,
                  uuid: try h.uuid.map { r throws(WireError) in try WireStrings.string(bytes, r, "Payload.uuid") },
                  body: h.body.map { Array(bytes[$0]) })
    }

    /// Decodes a payload given as an array.
    public init(decoding bytes: [UInt8], maxDepth: Int = SparkplugPayload.defaultMaxDepth) throws(WireError) {
        let result: Result<SparkplugPayload, WireError> = bytes.withUnsafeBytes { b in
            do throws(WireError) { return .success(try SparkplugPayload(decoding: b, maxDepth: maxDepth)) } catch { return .failure(error) }
        }
        self = try result.get()
    }
}

extension SparkplugMetric {
    /// Materialises a scanned metric: strings validated, properties and
    /// metadata decoded.
    public init(_ v: SparkplugMetricView, in bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(WireError) {
        self.init()
        name = try v.name.map { r throws(WireError) in try WireStrings.string(bytes, r, "Metric.name") }
        alias = v.alias
        timestamp = v.timestamp
        datatype = v.datatype
        isHistorical = v.isHistorical
        isTransient = v.isTransient
        isNull = v.isNull
        if let r = v.metadata { metadata = try SparkplugMetaData(bytes, r) }
        if let r = v.properties { properties = try SparkplugPropertySet(bytes, r, depth: 1, maxDepth: maxDepth) }
        switch v.value {
        case .none: value = nil
        case .int(let x): value = .int(x)
        case .long(let x): value = .long(x)
        case .float(let x): value = .float(x)
        case .double(let x): value = .double(x)
        case .boolean(let x): value = .boolean(x)
        case .string(let r): value = .string(try WireStrings.string(bytes, r, "Metric.string_value"))
        case .bytes(let r): value = .bytes(Array(bytes[r]))
        case .dataSet(let r): value = .dataSet(Array(bytes[r]))
        case .template(let r): value = .template(Array(bytes[r]))
        case .extension(let r): value = .extension(Array(bytes[r]))
        }
    }
}

extension SparkplugMetaData {
    init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError) {
        self.init()
        var r = ProtobufReader(bytes, range: range)
        while let (field, wire) = try r.nextTag() {
            switch field {
            case 1, 3, 4:
                try r.expect(wire, .varint, field: field, in: "MetaData")
                let v = try r.varint()
                if field == 1 { isMultiPart = v != 0 } else if field == 3 { size = v } else { seq = v }
            case 2, 5, 6, 7, 8:
                try r.expect(wire, .lengthDelimited, field: field, in: "MetaData")
                let s = try WireStrings.string(bytes, try r.lengthDelimited(), "MetaData")
                switch field {
                case 2: contentType = s
                case 5: fileName = s
                case 6: fileType = s
                case 7: md5 = s
                default: description = s
                }
            default:
                try r.skip(wire)
            }
        }
    }
}

extension SparkplugPropertySet {
    /// Decodes a `PropertySet` at nesting `depth` (1 = a metric's `properties`).
    /// - Throws: `tooDeep` past `maxDepth`, or any `WireError`.
    public init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, depth: Int, maxDepth: Int) throws(WireError) {
        guard depth <= maxDepth else {
            throw WireError(.tooDeep, at: range.lowerBound, "property sets nested deeper than \(maxDepth)")
        }
        self.init()
        var r = ProtobufReader(bytes, range: range)
        while let (field, wire) = try r.nextTag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, field: field, in: "PropertySet")
                keys.append(try WireStrings.string(bytes, try r.lengthDelimited(), "PropertySet.keys"))
            case 2:
                try r.expect(wire, .lengthDelimited, field: field, in: "PropertySet")
                values.append(try SparkplugPropertyValue(bytes, try r.lengthDelimited(), depth: depth, maxDepth: maxDepth))
            default:
                try r.skip(wire)
            }
        }
    }
}

extension SparkplugPropertyValue {
    init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, depth: Int, maxDepth: Int) throws(WireError) {
        self.init()
        var r = ProtobufReader(bytes, range: range)
        while let (field, wire) = try r.nextTag() {
            switch field {
            case 1:
                try r.expect(wire, .varint, field: field, in: "PropertyValue")
                type = UInt32(truncatingIfNeeded: try r.varint())
            case 2:
                try r.expect(wire, .varint, field: field, in: "PropertyValue")
                isNull = try r.varint() != 0
            case 3:
                try r.expect(wire, .varint, field: field, in: "PropertyValue")
                value = .int(UInt32(truncatingIfNeeded: try r.varint()))
            case 4:
                try r.expect(wire, .varint, field: field, in: "PropertyValue")
                value = .long(try r.varint())
            case 5:
                try r.expect(wire, .fixed32, field: field, in: "PropertyValue")
                value = .float(Float(bitPattern: try r.fixed32()))
            case 6:
                try r.expect(wire, .fixed64, field: field, in: "PropertyValue")
                value = .double(Double(bitPattern: try r.fixed64()))
            case 7:
                try r.expect(wire, .varint, field: field, in: "PropertyValue")
                value = .boolean(try r.varint() != 0)
            case 8:
                try r.expect(wire, .lengthDelimited, field: field, in: "PropertyValue")
                value = .string(try WireStrings.string(bytes, try r.lengthDelimited(), "PropertyValue.string_value"))
            case 9:
                try r.expect(wire, .lengthDelimited, field: field, in: "PropertyValue")
                value = .propertySet(try SparkplugPropertySet(bytes, try r.lengthDelimited(), depth: depth + 1, maxDepth: maxDepth))
            case 10:
                try r.expect(wire, .lengthDelimited, field: field, in: "PropertyValue")
                let listRange = try r.lengthDelimited()
                var list: [SparkplugPropertySet] = []
                var lr = ProtobufReader(bytes, range: listRange)
                while let (f, w) = try lr.nextTag() {
                    if f == 1 {
                        try lr.expect(w, .lengthDelimited, field: f, in: "PropertySetList")
                        list.append(try SparkplugPropertySet(bytes, try lr.lengthDelimited(), depth: depth + 1, maxDepth: maxDepth))
                    } else {
                        try lr.skip(w)
                    }
                }
                value = .propertySetList(list)
            case 11:
                try r.expect(wire, .lengthDelimited, field: field, in: "PropertyValue")
                value = .extension(Array(bytes[try r.lengthDelimited()]))
            default:
                try r.skip(wire)
            }
        }
    }
}

/// UTF-8 strings out of wire bytes.
enum WireStrings {
    /// The bytes of `range` as a String.
    /// - Throws: `invalidUTF8` (naming `what`) when they are not valid UTF-8.
    static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ what: StaticString) throws(WireError) -> String {
        guard let s = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw WireError(.invalidUTF8, at: range.lowerBound, "\(what) is not valid UTF-8")
        }
        return s
    }
}
