/// Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
public enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// A zero-copy cursor over protobuf wire bytes: reads tags, varints, fixed
/// values and length-delimited slices of a borrowed buffer, bounds-checked
/// against the end of the current (sub)message.
///
/// Nothing is copied or allocated; strings and sub-messages come back as
/// slices of the caller's buffer, valid as long as it is. Every read checks
/// the remaining length first, so truncated or lying input throws a
/// `WireError` instead of reading past the end.
public struct ProtobufReader {
    /// The whole payload (offsets in errors are relative to its start).
    public let buffer: UnsafeRawBufferPointer
    /// Next byte to read.
    public private(set) var position: Int
    /// End of the current message (exclusive).
    public let end: Int

    /// A reader over the whole buffer.
    public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        position = 0
        end = buffer.count
    }

    /// A reader over `range` of `buffer` (a sub-message).
    public init(_ buffer: UnsafeRawBufferPointer, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count)
        self.buffer = buffer
        position = range.lowerBound
        end = range.upperBound
    }

    /// True when the current message has no bytes left.
    @inline(__always)
    public var isAtEnd: Bool { position >= end }

    /// Reads the next field's tag.
    /// - Returns: The field number and wire type, or `nil` at the end of the message.
    /// - Throws: `truncated`, `varintTooLong`, or `badTag` for field number 0,
    ///   a field number above 2²⁹−1, or wire types 3, 4, 6 and 7.
    @inline(__always)
    public mutating func nextTag() throws(WireError) -> (field: UInt32, wire: WireType)? {
        if position >= end { return nil }
        let at = position
        let tag = try varint()
        let field = tag >> 3
        guard field != 0, field <= 0x1FFF_FFFF else {
            throw WireError(.badTag, at: at, "field number \(field)")
        }
        guard let wire = WireType(rawValue: UInt8(tag & 7)) else {
            throw WireError(.badTag, at: at, "field \(field): wire type \(tag & 7) (groups and types 6, 7 are not accepted)")
        }
        return (UInt32(field), wire)
    }

    /// Reads a base-128 varint (at most 10 bytes, at most 64 bits).
    @inline(__always)
    public mutating func varint() throws(WireError) -> UInt64 {
        guard let base = buffer.baseAddress else { throw WireError(.truncated, at: position, "varint at end of payload") }
        // Fast path: a one-byte varint (field tags, flags, small values).
        if position < end {
            let b = base.load(fromByteOffset: position, as: UInt8.self)
            if b < 0x80 {
                position += 1
                return UInt64(b)
            }
        }
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw WireError(.truncated, at: start, "varint runs past the end") }
            let b = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            if shift == 63 && b > 1 { throw WireError(.varintTooLong, at: start, "varint above 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw WireError(.varintTooLong, at: start, "varint longer than 10 bytes") }
        }
    }

    /// Reads a little-endian 32-bit value (wire type 5).
    @inline(__always)
    public mutating func fixed32() throws(WireError) -> UInt32 {
        guard end - position >= 4, let base = buffer.baseAddress else {
            throw WireError(.truncated, at: position, "fixed32 needs 4 bytes, \(max(0, end - position)) left")
        }
        let v = base.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: v)
    }

    /// Reads a little-endian 64-bit value (wire type 1).
    @inline(__always)
    public mutating func fixed64() throws(WireError) -> UInt64 {
        guard end - position >= 8, let base = buffer.baseAddress else {
            throw WireError(.truncated, at: position, "fixed64 needs 8 bytes, \(max(0, end - position)) left")
        }
        let v = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: v)
    }

    /// Reads a length prefix and returns the range of the bytes it covers (wire type 2).
    /// - Throws: `lengthPastEnd` when the length runs past the end of the current message.
    @inline(__always)
    public mutating func lengthDelimited() throws(WireError) -> Range<Int> {
        let at = position
        let n = try varint()
        guard n <= UInt64(end - position) else {
            throw WireError(.lengthPastEnd, at: at, "length \(n), \(end - position) bytes left")
        }
        let r = position..<(position + Int(n))
        position = r.upperBound
        return r
    }

    /// The bytes of `range` as a buffer slice (no copy).
    @inline(__always)
    public func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[range])
    }

    /// Skips a field's value of wire type `wire` (an unknown field).
    public mutating func skip(_ wire: WireType) throws(WireError) {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        }
    }

    /// Throws `wrongWireType` unless `wire` is `expected`.
    @inline(__always)
    public func expect(_ wire: WireType, _ expected: WireType, field: UInt32, in what: StaticString) throws(WireError) {
        if wire != expected {
            throw WireError(.wrongWireType, at: position, "\(what) field \(field): wire type \(wire.rawValue), expected \(expected.rawValue)")
        }
    }
}
