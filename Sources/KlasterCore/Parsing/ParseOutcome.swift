/// Why a payload (or part of it) was rejected: a reason code for the
/// dead-letter table and one human line saying what and where.
public struct ParseRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason code stored in the dead-letter table.
    public var reason: RejectReason
    /// One line, e.g. `element 3: v is a string`.
    public var detail: String

    /// - Parameters:
    ///   - reason: The reason code.
    ///   - detail: One line: what was wrong and where.
    public init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// What `PayloadParser.parse` did with one message.
///
/// A message with `rejection != nil` must be dead-lettered whole. Readings of
/// it that were valid on their own (other elements of a JSON array, other
/// lines/fields of line protocol, elements before a syntax error) have already
/// been emitted and count in `readings`; (series, ts) dedupe makes a later
/// replay of the dead-lettered message harmless.
public struct ParseOutcome: Sendable, Equatable {
    /// Readings handed to `emit`.
    public var readings: Int
    /// The first problem found, if any.
    public var rejection: ParseRejection?

    /// - Parameters:
    ///   - readings: Readings emitted.
    ///   - rejection: The first problem, or `nil` when the message was valid.
    public init(readings: Int, rejection: ParseRejection? = nil) {
        self.readings = readings
        self.rejection = rejection
    }

    /// True when the whole message was valid.
    public var isAccepted: Bool { rejection == nil }
}
