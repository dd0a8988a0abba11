/// The payload-level fields of a Sparkplug B message, read without touching
/// the metrics' insides.
public struct SparkplugHeader: Sendable, Equatable {
    public var timestamp: UInt64?
    public var seq: UInt64?
    /// Number of `metrics` entries.
    public var metricCount: Int
    /// Byte range of `uuid`, if present.
    public var uuid: Range<Int>?
    /// Byte range of `body`, if present.
    public var body: Range<Int>?

    public init(timestamp: UInt64? = nil, seq: UInt64? = nil, metricCount: Int = 0, uuid: Range<Int>? = nil, body: Range<Int>? = nil) {
        self.timestamp = timestamp
        self.seq = seq
        self.metricCount = metricCount
        self.uuid = uuid
        self.body = body
    }
}

/// A metric's `value` as it sits in the buffer: numbers decoded, everything
/// else as the byte range of its encoding.
public enum SparkplugValueView: Sendable, Equatable {
    case none
    case int(UInt32)
    case long(UInt64)
    case float(Float)
    case double(Double)
    case boolean(Bool)
    case string(Range<Int>)
    case bytes(Range<Int>)
    case dataSet(Range<Int>)
    case template(Range<Int>)
    case `extension`(Range<Int>)
}

/// One metric, read in place: numbers decoded, name/properties/metadata as
/// byte ranges of the payload buffer. A trivial value: no allocation.
public struct SparkplugMetricView: Sendable, Equatable {
    /// Position among the payload's metrics (0-based).
    public var index: Int = 0
    public var name: Range<Int>? = nil
    public var alias: UInt64? = nil
    public var timestamp: UInt64? = nil
    public var datatype: UInt32? = nil
    public var isHistorical = false
    public var isTransient = false
    public var isNull = false
    public var metadata: Range<Int>? = nil
    public var properties: Range<Int>? = nil
    public var value = SparkplugValueView.none

    public init() {}
}

/// The zero-copy Sparkplug B decoder: walks the protobuf wire format of a
/// payload in place and hands out `SparkplugMetricView`s — no allocation per
/// message or metric.
///
/// Hostile input (truncated varints, lengths past the end, wrong wire types,
/// group or reserved wire types) ends in a `WireError` naming the byte.
/// Unknown fields with a valid wire type are skipped, as protobuf requires
/// (`Payload` and its messages declare extension ranges). Metrics whose
/// bytes precede a malformed one have already been handed out when the error
/// is thrown: the caller dead-letters the whole message.
public enum SparkplugScanner {
    /// Reads the payload-level fields (timestamp, seq, uuid, body, metric count),
    /// checking the framing of every top-level field.
    /// - Complexity: O(number of top-level fields); metrics are skipped by length.
    public static func header(_ buffer: UnsafeRawBufferPointer) throws(WireError) -> SparkplugHeader {
        var r = ProtobufReader(buffer)
        var h = SparkplugHeader()
        while let (field, wire) = try r.nextTag() {
            switch field {
            case 1:
                try r.expect(wire, .varint, field: field, in: "Payload")
                h.timestamp = try r.varint()
            case 2:
                try r.expect(wire, .lengthDelimited, field: field, in: "Payload")
                _ = try r.lengthDelimited()
                h.metricCount += 1
            case 3:
                try r.expect(wire, .varint, field: field, in: "Payload")
                h.seq = try r.varint()
            case 4:
                try r.expect(wire, .lengthDelimited, field: field, in: "Payload")
                h.uuid = try r.lengthDelimited()
            case 5:
                try r.expect(wire, .lengthDelimited, field: field, in: "Payload")
                h.body = try r.lengthDelimited()
            default:
                try r.skip(wire)
            }
        }
        return h
    }

    /// Decodes every metric in payload order and hands each to `body`.
    /// - Parameters:
    ///   - buffer: The payload.
    ///   - body: Called once per metric; non-escaping, so no allocation.
    /// - Throws: The first `WireError`; metrics before it were handed out.
    /// - Complexity: O(payload length).
    @inline(__always)
    public static func forEachMetric(_ buffer: UnsafeRawBufferPointer,
                                     _ body: (SparkplugMetricView) -> Void) throws(WireError) {
        var r = ProtobufReader(buffer)
        var index = 0
        while let (field, wire) = try r.nextTag() {
            if field == 2 {
                try r.expect(wire, .lengthDelimited, field: field, in: "Payload")
                let range = try r.lengthDelimited()
                var m = try metric(buffer, range, index: index)
                m.index = index
                body(m)
                index += 1
            } else {
                try r.skip(wire)
            }
        }
    }

    /// Decodes one `Payload.Metric` occupying `range` of `buffer`.
    public static func metric(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, index: Int) throws(WireError) -> SparkplugMetricView {
        var r = ProtobufReader(buffer, range: range)
        var m = SparkplugMetricView()
        while let (field, wire) = try r.nextTag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, field: field, in: "Metric")
                m.name = try r.lengthDelimited()
            case 2:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.alias = try r.varint()
            case 3:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.timestamp = try r.varint()
            case 4:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.datatype = UInt32(truncatingIfNeeded: try r.varint())
            case 5:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.isHistorical = try r.varint() != 0
            case 6:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.isTransient = try r.varint() != 0
            case 7:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.isNull = try r.varint() != 0
            case 8:
                try r.expect(wire, .lengthDelimited, field: field, in: "Metric")
                m.metadata = try r.lengthDelimited()
            case 9:
                try r.expect(wire, .lengthDelimited, field: field, in: "Metric")
                m.properties = try r.lengthDelimited()
            case 10:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.value = .int(UInt32(truncatingIfNeeded: try r.varint()))
            case 11:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.value = .long(try r.varint())
            case 12:
                try r.expect(wire, .fixed32, field: field, in: "Metric")
                m.value = .float(Float(bitPattern: try r.fixed32()))
            case 13:
                try r.expect(wire, .fixed64, field: field, in: "Metric")
                m.value = .double(Double(bitPattern: try r.fixed64()))
            case 14:
                try r.expect(wire, .varint, field: field, in: "Metric")
                m.value = .boolean(try r.varint() != 0)
            case 15:
                try r.expect(wire, .lengthDelimited, field: field, in: "Metric")
                m.value = .string(try r.lengthDelimited())
            case 16:
                try r.expect(wire, .lengthDelimited, field: field, in: "Metric")
                m.value = .bytes(try r.lengthDelimited())
            case 17:
                try r.expect(wire, .lengthDelimited, field: field, in: "Metric")
                m.value = .dataSet(try r.lengthDelimited())
            case 18:
                try r.expect(wire, .lengthDelimited, field: field, in: "Metric")
                m.value = .template(try r.lengthDelimited())
            case 19:
                try r.expect(wire, .lengthDelimited, field: field, in: "Metric")
                m.value = .extension(try r.lengthDelimited())
            default:
                try r.skip(wire)
            }
        }
        return m
    }
}
