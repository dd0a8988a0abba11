/// Nagios plugin states; the raw value is the exit code of `klaster check`.
public enum AlertStatus: Int32, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case ok = 0
    case warning = 1
    case critical = 2
    case unknown = 3

    /// `OK`, `WARNING`, `CRITICAL`, `UNKNOWN` as Nagios prints them.
    public var name: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    public init?(name: String) {
        guard let s = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    /// Nagios "worst wins" order for the exit code of several rules:
    /// CRITICAL > WARNING > UNKNOWN > OK (an alarm outranks a blind spot).
    public var severity: Int {
        switch self {
        case .ok: 0
        case .unknown: 1
        case .warning: 2
        case .critical: 3
        }
    }

    /// The worst of several states (OK for none).
    public static func worst<S: Sequence>(_ states: S) -> AlertStatus where S.Element == AlertStatus {
        states.max { $0.severity < $1.severity } ?? .ok
    }
}
