import KlasterCore

/// Durations in the config (`500ms`, `30s`, `5m`, `1h`, `1d`, `1h30m`): the
/// product's one parser, `DurationParser`, as an optional for the config
/// reader, which words its own error naming the key and the file.
enum ConfigDuration {
    static func parse(_ text: String) -> Int64? {
        try? DurationParser.parse(text)
    }
}
