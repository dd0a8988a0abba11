import KlasterCore

/// A broker address: `mqtt://host[:port]` (default 1883) or
/// `mqtts://host[:port]` (TLS, default 8883).
public struct BrokerURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int32
    public var tls: Bool

    /// Parses a broker URL.
    /// - Throws: `KlasterError(.usage)` for another scheme, a missing host or a bad port.
    public init(_ text: String) throws(KlasterError) {
        let scheme: Substring
        let rest: Substring
        if let r = text.firstRange(of: "://") {
            scheme = text[..<r.lowerBound]
            rest = text[r.upperBound...]
        } else {
            throw KlasterError(.usage, "broker URL \"\(text)\" has no scheme", hint: "write mqtt://host:1883 or mqtts://host:8883")
        }
        switch scheme.lowercased() {
        case "mqtt", "tcp": tls = false
        case "mqtts", "ssl", "tls": tls = true
        default:
            throw KlasterError(.usage, "broker URL \"\(text)\" has scheme \(scheme)", hint: "use mqtt:// or mqtts://")
        }
        var hostPort = rest
        if let slash = hostPort.firstIndex(of: "/") { hostPort = hostPort[..<slash] }
        var portText: Substring?
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = String(hostPort)
        }
        guard !host.isEmpty else { throw KlasterError(.usage, "broker URL \"\(text)\" has no host", hint: "write mqtt://host:1883") }
        if let portText {
            guard let p = Int32(portText), (1...65535).contains(p) else {
                throw KlasterError(.usage, "broker URL \"\(text)\" has a bad port", hint: "a port is 1–65535")
            }
            port = p
        } else {
            port = tls ? 8883 : 1883
        }
    }

    public var description: String { "\(tls ? "mqtts" : "mqtt")://\(host):\(port)" }
}
