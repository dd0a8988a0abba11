import Foundation

/// The retained message the daemon publishes on `klaster/alerts/<rule>`:
/// `{"rule":…,"since":"2026-…Z","status":"CRITICAL","threshold":2500,"value":2612.5}`
/// (keys sorted; `value` and `threshold` are `null` when absent or not finite).
extension AlertTransition: Encodable {
    private enum CodingKeys: String, CodingKey {
        case rule, status, value, threshold, since
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rule, forKey: .rule)
        try c.encode(to.name, forKey: .status)
        // JSON has no NaN or infinity; a non-finite number is no number.
        if let value, value.isFinite { try c.encode(value, forKey: .value) } else { try c.encodeNil(forKey: .value) }
        if let threshold, threshold.isFinite { try c.encode(threshold, forKey: .threshold) } else { try c.encodeNil(forKey: .threshold) }
        try c.encode(RFC3339.format(since), forKey: .since)
    }

    /// The payload as JSON text, through `JSONEncoder`.
    public var jsonPayload: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and finite numbers always encode; the fallback is never taken.
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
