import KlasterCore

/// The host application's STATE messages (Sparkplug 3.0):
/// `spBv1.0/STATE/<host_id>`, QoS 1, retained, `{"online":bool,"timestamp":ms}`.
///
/// The order the connection follows: set the will (`offline`, the CONNECT
/// timestamp) before connecting; once connected, subscribe first, then publish
/// the birth (`online`, the same timestamp); before a clean disconnect publish
/// `offline`. The host connects with a clean session.
public struct SparkplugHostState: Sendable, Equatable {
    public let hostID: String
    /// The timestamp of the CONNECT this state belongs to (epoch ms).
    public let connectTimestamp: EpochMillis

    public init(hostID: String, connectTimestamp: EpochMillis) {
        self.hostID = hostID
        self.connectTimestamp = connectTimestamp
    }

    public var topic: String { SparkplugTopic.state(hostID: hostID).description }
    public static let qos: Int32 = 1
    public static let retained = true

    /// The will registered before CONNECT.
    public var will: [UInt8] { Self.payload(online: false, timestamp: connectTimestamp) }
    /// Published after the subscriptions are sent.
    public var birth: [UInt8] { Self.payload(online: true, timestamp: connectTimestamp) }
    /// Published before a clean disconnect.
    public var death: [UInt8] { Self.payload(online: false, timestamp: connectTimestamp) }

    public static func payload(online: Bool, timestamp: EpochMillis) -> [UInt8] {
        Array("{\"online\":\(online),\"timestamp\":\(timestamp)}".utf8)
    }

    /// Parses a STATE payload (for edge nodes and tests).
    /// - Returns: `online` and `timestamp`, or `nil` when it is not such JSON.
    public static func parse(_ payload: [UInt8]) -> (online: Bool, timestamp: EpochMillis)? {
        let s = String(decoding: payload, as: UTF8.self).filter { !$0.isWhitespace }
        guard s.hasPrefix("{"), s.hasSuffix("}") else { return nil }
        var online: Bool?
        var ts: EpochMillis?
        for part in s.dropFirst().dropLast().split(separator: ",") {
            let kv = part.split(separator: ":", maxSplits: 1)
            guard kv.count == 2 else { return nil }
            switch kv[0] {
            case "\"online\"": online = kv[1] == "true" ? true : kv[1] == "false" ? false : nil
            case "\"timestamp\"": ts = EpochMillis(kv[1])
            default: continue
            }
        }
        guard let online, let ts else { return nil }
        return (online, ts)
    }
}

/// A command the host publishes to an edge node (QoS 0, not retained).
public struct SparkplugCommand: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]

    public init(topic: String, payload: [UInt8]) {
        self.topic = topic
        self.payload = payload
    }

    /// NCMD `Node Control/Rebirth` = true to `group/edge`.
    public static func rebirth(group: String, edge: String, now: EpochMillis) -> SparkplugCommand {
        let ts = UInt64(max(0, now))
        let p = SparkplugPayload(timestamp: ts, metrics: [
            SparkplugMetric(name: "Node Control/Rebirth", timestamp: ts, datatype: .boolean, value: .boolean(true)),
        ])
        return SparkplugCommand(topic: SparkplugTopic.message(group: group, type: .ncmd, edge: edge, device: nil).description,
                                payload: p.encoded())
    }
}
