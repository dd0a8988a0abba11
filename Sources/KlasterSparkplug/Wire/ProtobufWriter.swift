/// Appends protobuf wire format to a byte array: tags, varints, fixed values,
/// and length-delimited sub-messages (written by a closure, the length
/// prefix filled in afterwards).
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    public mutating func tag(_ field: UInt32, _ wire: WireType) {
        varint(UInt64(field) << 3 | UInt64(wire.rawValue))
    }

    @inline(__always)
    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func varintField(_ field: UInt32, _ v: UInt64) {
        tag(field, .varint)
        varint(v)
    }

    public mutating func boolField(_ field: UInt32, _ v: Bool) {
        varintField(field, v ? 1 : 0)
    }

    public mutating func fixed32Field(_ field: UInt32, _ v: UInt32) {
        tag(field, .fixed32)
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func fixed64Field(_ field: UInt32, _ v: UInt64) {
        tag(field, .fixed64)
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func bytesField(_ field: UInt32, _ v: some Collection<UInt8>) {
        tag(field, .lengthDelimited)
        varint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    public mutating func stringField(_ field: UInt32, _ v: String) {
        bytesField(field, v.utf8)
    }

    /// Writes field `field` as a sub-message whose body `body` writes.
    public mutating func messageField(_ field: UInt32, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter(capacity: 64)
        body(&inner)
        bytesField(field, inner.bytes)
    }

    /// Appends raw, already encoded bytes (for tests that build hostile input).
    public mutating func raw(_ v: some Collection<UInt8>) {
        bytes.append(contentsOf: v)
    }
}
