/// A Sparkplug B payload (proto2 `org.eclipse.tahu.protobuf.Payload`), as
/// owned Swift values: what the encoder writes and what tests compare.
///
/// The ingest hot path does not build this type: it scans the wire bytes in
/// place (`SparkplugScanner`). Field numbers are those of `sparkplug_b.proto`.
public struct SparkplugPayload: Sendable, Equatable {
    /// Field 1: time the message was sent, epoch ms.
    public var timestamp: UInt64?
    /// Field 2.
    public var metrics: [SparkplugMetric]
    /// Field 3: 0–255 per edge node (absent in NDEATH).
    public var seq: UInt64?
    /// Field 4.
    public var uuid: String?
    /// Field 5.
    public var body: [UInt8]?

    public init(timestamp: UInt64? = nil, metrics: [SparkplugMetric] = [], seq: UInt64? = nil,
                uuid: String? = nil, body: [UInt8]? = nil) {
        self.timestamp = timestamp
        self.metrics = metrics
        self.seq = seq
        self.uuid = uuid
        self.body = body
    }
}

/// One metric (`Payload.Metric`).
public struct SparkplugMetric: Sendable, Equatable {
    /// Field 1: in BIRTH messages (and in DATA of edge nodes that use no aliases).
    public var name: String?
    /// Field 2: unique within the edge node, defined in BIRTH.
    public var alias: UInt64?
    /// Field 3: capture time, epoch ms.
    public var timestamp: UInt64?
    /// Field 4 (raw, so that unknown types survive a round trip).
    public var datatype: UInt32?
    /// Field 5: store-and-forward / late data.
    public var isHistorical: Bool
    /// Field 6: do not store.
    public var isTransient: Bool
    /// Field 7: the value is null.
    public var isNull: Bool
    /// Field 8.
    public var metadata: SparkplugMetaData?
    /// Field 9 (`engUnit` among them).
    public var properties: SparkplugPropertySet?
    /// Fields 10–19 (the `value` oneof).
    public var value: SparkplugValue?

    public init(name: String? = nil, alias: UInt64? = nil, timestamp: UInt64? = nil, datatype: SparkplugDataType? = nil,
                isHistorical: Bool = false, isTransient: Bool = false, isNull: Bool = false,
                metadata: SparkplugMetaData? = nil, properties: SparkplugPropertySet? = nil, value: SparkplugValue? = nil) {
        self.name = name
        self.alias = alias
        self.timestamp = timestamp
        self.datatype = datatype?.rawValue
        self.isHistorical = isHistorical
        self.isTransient = isTransient
        self.isNull = isNull
        self.metadata = metadata
        self.properties = properties
        self.value = value
    }

    /// The datatype, when it is one Sparkplug defines.
    public var dataType: SparkplugDataType? { datatype.flatMap(SparkplugDataType.init(rawValue:)) }
}

/// The `value` oneof of a metric. Signed Int8…Int32 travel as their two's
/// complement in `int_value` (uint32), Int64 in `long_value` (uint64).
/// DataSet, Template and extension values are kept as their raw encoded bytes.
public enum SparkplugValue: Sendable, Equatable {
    case int(UInt32)          // field 10
    case long(UInt64)         // field 11
    case float(Float)         // field 12
    case double(Double)       // field 13
    case boolean(Bool)        // field 14
    case string(String)       // field 15
    case bytes([UInt8])       // field 16
    case dataSet([UInt8])     // field 17
    case template([UInt8])    // field 18
    case `extension`([UInt8]) // field 19
}

/// `Payload.MetaData`.
public struct SparkplugMetaData: Sendable, Equatable {
    public var isMultiPart: Bool?
    public var contentType: String?
    public var size: UInt64?
    public var seq: UInt64?
    public var fileName: String?
    public var fileType: String?
    public var md5: String?
    public var description: String?

    public init(isMultiPart: Bool? = nil, contentType: String? = nil, size: UInt64? = nil, seq: UInt64? = nil,
                fileName: String? = nil, fileType: String? = nil, md5: String? = nil, description: String? = nil) {
        self.isMultiPart = isMultiPart
        self.contentType = contentType
        self.size = size
        self.seq = seq
        self.fileName = fileName
        self.fileType = fileType
        self.md5 = md5
        self.description = description
    }
}

/// `Payload.PropertySet`: parallel lists of keys and values.
public struct SparkplugPropertySet: Sendable, Equatable {
    public var keys: [String]
    public var values: [SparkplugPropertyValue]

    public init(keys: [String] = [], values: [SparkplugPropertyValue] = []) {
        self.keys = keys
        self.values = values
    }

    /// The value of `key`, if present.
    public subscript(key: String) -> SparkplugPropertyValue? {
        guard let i = keys.firstIndex(of: key), i < values.count else { return nil }
        return values[i]
    }

    /// The `engUnit` property (Sparkplug 3.0's engineering unit), when it is a string.
    public var engUnit: String? {
        if case .string(let s)? = self["engUnit"]?.value { return s }
        return nil
    }
}

/// `Payload.PropertyValue`.
public struct SparkplugPropertyValue: Sendable, Equatable {
    public var type: UInt32?
    public var isNull: Bool
    public var value: Value?

    public indirect enum Value: Sendable, Equatable {
        case int(UInt32)                         // field 3
        case long(UInt64)                        // field 4
        case float(Float)                        // field 5
        case double(Double)                      // field 6
        case boolean(Bool)                       // field 7
        case string(String)                      // field 8
        case propertySet(SparkplugPropertySet)   // field 9
        case propertySetList([SparkplugPropertySet]) // field 10
        case `extension`([UInt8])                // field 11
    }

    public init(type: SparkplugDataType? = nil, isNull: Bool = false, value: Value? = nil) {
        self.type = type?.rawValue
        self.isNull = isNull
        self.value = value
    }

    /// A string property (`type` String).
    public static func string(_ s: String) -> SparkplugPropertyValue {
        SparkplugPropertyValue(type: .string, value: .string(s))
    }
}
