/// Sparkplug B message types (the third topic level).
public enum SparkplugMessageType: String, Sendable, CaseIterable {
    case nbirth = "NBIRTH", ndata = "NDATA", ndeath = "NDEATH", ncmd = "NCMD"
    case dbirth = "DBIRTH", ddata = "DDATA", ddeath = "DDEATH", dcmd = "DCMD"

    /// True for the device-level types, whose topic has a fifth level.
    public var isDevice: Bool {
        switch self {
        case .dbirth, .ddata, .ddeath, .dcmd: true
        default: false
        }
    }
}

/// A parsed Sparkplug B topic: `spBv1.0/<group>/<type>/<edge>[/<device>]`,
/// or a host's `spBv1.0/STATE/<host_id>`.
public enum SparkplugTopic: Sendable, Equatable {
    case message(group: String, type: SparkplugMessageType, edge: String, device: String?)
    case state(hostID: String)

    /// The topic namespace of Sparkplug B.
    public static let namespace = "spBv1.0"

    /// Parses a topic.
    /// - Returns: `nil` when it is not a well-formed Sparkplug B topic: another
    ///   namespace, an unknown message type, an empty level, a device level on a
    ///   node message or none on a device message, extra levels, or invalid UTF-8.
    public init?(_ topic: UnsafeRawBufferPointer) {
        guard let s = String(validating: topic, as: UTF8.self) else { return nil }
        self.init(s)
    }

    public init?(_ topic: String) {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == Self.namespace, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        if parts[1] == "STATE" {
            guard parts.count == 3 else { return nil }
            self = .state(hostID: String(parts[2]))
            return
        }
        guard parts.count >= 4, let type = SparkplugMessageType(rawValue: String(parts[2])) else { return nil }
        if type.isDevice {
            guard parts.count == 5 else { return nil }
            self = .message(group: String(parts[1]), type: type, edge: String(parts[3]), device: String(parts[4]))
        } else {
            guard parts.count == 4 else { return nil }
            self = .message(group: String(parts[1]), type: type, edge: String(parts[3]), device: nil)
        }
    }

    /// The topic string.
    public var description: String {
        switch self {
        case .state(let h): "\(Self.namespace)/STATE/\(h)"
        case let .message(g, t, e, d?): "\(Self.namespace)/\(g)/\(t.rawValue)/\(e)/\(d)"
        case let .message(g, t, e, nil): "\(Self.namespace)/\(g)/\(t.rawValue)/\(e)"
        }
    }

    /// The subscription filter for `group` (`+` = every group).
    public static func filter(group: String) -> String { "\(namespace)/\(group)/#" }
}
