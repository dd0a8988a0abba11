import KlasterCore

/// Durations in the config (`500ms`, `30s`, `5m`, `1h`, `1d`, `1h30m`): the
/// product's one parser, `DurationParser`, as an optional for the config
/// reader, which words its own error naming the key and the file.
enum ConfigDuration {
    /// The longest duration any key accepts: 100 years (of 365 days), far
    /// below the ±292 million years of an `Int64` of milliseconds, so adding
    /// or subtracting it from an instant never overflows.
    static let longest: Int64 = 100 * 365 * 86_400_000

    static func parse(_ text: String) -> Int64? {
        try? DurationParser.parse(text)
    }
}
