/// Why a protobuf payload was rejected: what was wrong and at which byte.
/// Every malformed input ends in one of these, never in a crash or a read
/// past the buffer.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The payload ends inside a tag, a varint or a fixed-width value.
        case truncated
        /// A varint longer than 10 bytes, or a 10th byte above 1 (more than 64 bits).
        case varintTooLong = "varint_too_long"
        /// A length-delimited field whose length runs past the end of its message.
        case lengthPastEnd = "length_past_end"
        /// Wire type 3, 4 (groups), 6 or 7, or a field number 0.
        case badTag = "bad_tag"
        /// A known field encoded with a different wire type than the schema says.
        case wrongWireType = "wrong_wire_type"
        /// Property sets nested deeper than the decoder's limit.
        case tooDeep = "too_deep"
        /// A string that is not valid UTF-8.
        case invalidUTF8 = "invalid_utf8"
    }

    public var kind: Kind
    /// Byte offset in the whole payload where the problem was found.
    public var offset: Int
    /// One line naming the field, e.g. `metric 3 field 10: wire type 2, expected 0`.
    public var detail: String

    public init(_ kind: Kind, at offset: Int, _ detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue) at byte \(offset): \(detail)" }
}
