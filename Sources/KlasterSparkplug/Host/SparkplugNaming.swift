/// How a Sparkplug metric becomes a series: `<group>/<device or edge>/<quantity>`,
/// the quantity from `[sparkplug.metrics]` or else the metric name slugged.
public struct SparkplugNaming: Sendable, Equatable {
    /// `[sparkplug.metrics]`: metric name → quantity.
    public var metrics: [String: String]

    public init(metrics: [String: String] = [:]) {
        self.metrics = metrics
    }

    /// The quantity (the series key's last level) of metric `name`.
    public func quantity(for name: String) -> String {
        metrics[name] ?? Self.slug(name)
    }

    /// Lower case ASCII letters and digits kept; every run of other characters
    /// becomes one `_`; leading and trailing `_` are dropped
    /// (`"Gas/Volume"` → `gas_volume`, `"Flow (Nm3/h)"` → `flow_nm3_h`).
    /// A name with no letter or digit slugs to `_`.
    public static func slug(_ name: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        var pendingUnderscore = false
        for c in name.utf8 {
            let lower = c >= 65 && c <= 90 ? c + 32 : c
            let keep = (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57)
            if keep {
                if pendingUnderscore && !out.isEmpty { out.append(UInt8(ascii: "_")) }
                pendingUnderscore = false
                out.append(lower)
            } else {
                pendingUnderscore = true
            }
        }
        return out.isEmpty ? "_" : String(decoding: out, as: UTF8.self)
    }

    /// Metrics that belong to the protocol, not to the plant: `bdSeq` and the
    /// `Node Control/…` and `Device Control/…` commands. Never stored, never dead-lettered.
    public static func isProtocolMetric(_ name: String) -> Bool {
        name == "bdSeq" || name.hasPrefix("Node Control/") || name.hasPrefix("Device Control/")
    }
}
