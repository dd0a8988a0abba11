/// A `host:port` the HTTP endpoint binds to (`127.0.0.1:9464`, `[::1]:9464`, `:9464`).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Parses `host:port`; an empty host means 127.0.0.1.
    /// - Returns: `nil` when there is no valid port.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var h = String(text[..<colon])
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        guard let p = Int(text[text.index(after: colon)...]), (0...65535).contains(p) else { return nil }
        host = h.isEmpty ? "127.0.0.1" : h
        port = p
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
