/// Why a message (or one reading in it) was rejected. The raw value is the
/// reason code stored in the dead-letter table and shown by `klaster stats`.
public enum RejectReason: String, Sendable, CaseIterable, Codable {
    case malformedJSON = "malformed_json"
    case malformedLineProtocol = "malformed_line_protocol"
    case missingTs = "missing_ts"
    case missingValue = "missing_value"
    case nonFinite = "non_finite"
    case wrongType = "wrong_type"
    case badTimestamp = "bad_timestamp"
    case futureTs = "future_ts"
    case badQuality = "bad_quality"
    case badTopic = "bad_topic"
    case tooLarge = "too_large"
    case tooDeep = "too_deep"
    case invalidUTF8 = "invalid_utf8"
    case empty = "empty"
    /// Sparkplug B: the payload is not valid protobuf wire format.
    case malformedProtobuf = "malformed_protobuf"
    /// Sparkplug B: a metric of a type Klaster does not store (String, Bytes, DataSet, Template, …).
    case unsupportedType = "unsupported_type"
    /// Sparkplug B: DATA with an alias (or name) that no BIRTH of the edge node defined.
    case unknownAlias = "unknown_alias"
    /// Sparkplug B: DATA or DBIRTH from an edge node with no NBIRTH since the host started or since its NDEATH.
    case noBirth = "no_birth"
    /// A new series beyond `ingest.max_series`.
    case tooManySeries = "too_many_series"
}
