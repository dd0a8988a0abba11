extension SparkplugPayload {
    /// The payload in protobuf wire format, fields in schema order.
    /// - Complexity: O(encoded size).
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter(capacity: 32 + metrics.count * 24)
        if let timestamp { w.varintField(1, timestamp) }
        for m in metrics {
            w.messageField(2) { m.encode(into: &$0) }
        }
        if let seq { w.varintField(3, seq) }
        if let uuid { w.stringField(4, uuid) }
        if let body { w.bytesField(5, body) }
        return w.bytes
    }
}

extension SparkplugMetric {
    func encode(into w: inout ProtobufWriter) {
        if let name { w.stringField(1, name) }
        if let alias { w.varintField(2, alias) }
        if let timestamp { w.varintField(3, timestamp) }
        if let datatype { w.varintField(4, UInt64(datatype)) }
        if isHistorical { w.boolField(5, true) }
        if isTransient { w.boolField(6, true) }
        if isNull { w.boolField(7, true) }
        if let metadata { w.messageField(8) { metadata.encode(into: &$0) } }
        if let properties { w.messageField(9) { properties.encode(into: &$0) } }
        switch value {
        case nil: break
        case .int(let v)?: w.varintField(10, UInt64(v))
        case .long(let v)?: w.varintField(11, v)
        case .float(let v)?: w.fixed32Field(12, v.bitPattern)
        case .double(let v)?: w.fixed64Field(13, v.bitPattern)
        case .boolean(let v)?: w.boolField(14, v)
        case .string(let v)?: w.stringField(15, v)
        case .bytes(let v)?: w.bytesField(16, v)
        case .dataSet(let v)?: w.bytesField(17, v)
        case .template(let v)?: w.bytesField(18, v)
        case .extension(let v)?: w.bytesField(19, v)
        }
    }
}

extension SparkplugMetaData {
    func encode(into w: inout ProtobufWriter) {
        if let isMultiPart { w.boolField(1, isMultiPart) }
        if let contentType { w.stringField(2, contentType) }
        if let size { w.varintField(3, size) }
        if let seq { w.varintField(4, seq) }
        if let fileName { w.stringField(5, fileName) }
        if let fileType { w.stringField(6, fileType) }
        if let md5 { w.stringField(7, md5) }
        if let description { w.stringField(8, description) }
    }
}

extension SparkplugPropertySet {
    func encode(into w: inout ProtobufWriter) {
        for k in keys { w.stringField(1, k) }
        for v in values { w.messageField(2) { v.encode(into: &$0) } }
    }
}

extension SparkplugPropertyValue {
    func encode(into w: inout ProtobufWriter) {
        if let type { w.varintField(1, UInt64(type)) }
        if isNull { w.boolField(2, true) }
        switch value {
        case nil: break
        case .int(let v)?: w.varintField(3, UInt64(v))
        case .long(let v)?: w.varintField(4, v)
        case .float(let v)?: w.fixed32Field(5, v.bitPattern)
        case .double(let v)?: w.fixed64Field(6, v.bitPattern)
        case .boolean(let v)?: w.boolField(7, v)
        case .string(let v)?: w.stringField(8, v)
        case .propertySet(let s)?: w.messageField(9) { s.encode(into: &$0) }
        case .propertySetList(let l)?:
            w.messageField(10) { lw in for s in l { lw.messageField(1) { s.encode(into: &$0) } } }
        case .extension(let v)?: w.bytesField(11, v)
        }
    }
}

extension SparkplugMetric {
    /// A metric carrying `value` typed by `type`: integers go to `int_value`
    /// (Int8…UInt32, two's complement for negatives) or `long_value` (Int64,
    /// UInt64), Float/Double to their fields, Boolean to `boolean_value`.
    /// Integers are rounded toward zero and clamped to the type's range.
    /// - Returns: `nil` for a type that is not numeric or boolean, or a non-finite integer value.
    public static func numeric(name: String? = nil, alias: UInt64? = nil, timestamp: UInt64? = nil,
                               type: SparkplugDataType, value: Double, isHistorical: Bool = false,
                               includeType: Bool = true) -> SparkplugMetric? {
        let v: SparkplugValue
        let i = value.isFinite ? Int64(clamping: value) : 0
        if !value.isFinite && type != .float && type != .double { return nil }
        switch type {
        case .int8: v = .int(UInt32(bitPattern: Int32(Int8(clamping: i))))
        case .int16: v = .int(UInt32(bitPattern: Int32(Int16(clamping: i))))
        case .int32: v = .int(UInt32(bitPattern: Int32(clamping: i)))
        case .uint8: v = .int(UInt32(UInt8(clamping: i)))
        case .uint16: v = .int(UInt32(UInt16(clamping: i)))
        case .uint32: v = .int(UInt32(clamping: i))
        case .int64: v = .long(UInt64(bitPattern: i))
        case .uint64: v = .long(value >= 0x1p64 ? .max : value <= 0 ? 0 : UInt64(value))
        case .float: v = .float(Float(value))
        case .double: v = .double(value)
        case .boolean: v = .boolean(value != 0)
        default: return nil
        }
        return SparkplugMetric(name: name, alias: alias, timestamp: timestamp, datatype: includeType ? type : nil,
                               isHistorical: isHistorical, value: v)
    }
}

extension Int64 {
    /// `value` rounded toward zero, clamped to Int64's range (finite input).
    init(clamping value: Double) {
        if value >= 0x1p63 { self = .max } else if value <= -0x1p63 { self = .min } else { self.init(value) }
    }
}
