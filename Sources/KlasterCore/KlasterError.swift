/// Process exit codes from sysexits.h, as README "CLI reference" assigns them.
public enum ExitCode: Int32, Sendable {
    case ok = 0
    /// EX_USAGE: bad command line or config.
    case usage = 64
    /// EX_DATAERR: bad input data.
    case dataError = 65
    /// EX_NOINPUT: a missing file or database.
    case noInput = 66
    /// EX_UNAVAILABLE: broker unreachable, refused credentials.
    case unavailable = 69
    /// EX_SOFTWARE: an internal error (a bug).
    case software = 70
    /// EX_IOERR: an I/O error.
    case ioError = 74
    /// EX_NOPERM: the broker refused our credentials or authorisation.
    case noPermission = 77
    /// EX_CONFIG: a configuration error that is not a usage error.
    case config = 78
}

/// The one error type that crosses module boundaries: a sysexits code, what
/// went wrong, and how to fix it. Printed as `klaster: <what> (<hint>)`.
public struct KlasterError: Error, Sendable, CustomStringConvertible, Equatable {
    public var code: ExitCode
    public var message: String
    public var hint: String?

    public init(_ code: ExitCode, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    /// The single stderr line `klaster: <what> (<hint>)` (without the `klaster: ` prefix).
    public var description: String {
        if let hint, !hint.isEmpty { return "\(message) (\(hint))" }
        return message
    }
}
