/// What a series key may hold — the one check every door applies: named
/// levels of MQTT topics (`TopicPattern`), import keys (CSV, JSON lines) and
/// line-protocol tags all go through `check(level:)`, and the joined key
/// through `maxKeyBytes`.
///
/// A level is 1…`maxLevelBytes` bytes of valid UTF-8 with no `/`, no MQTT
/// wildcard (`+`, `#`), no control or format character (C0, DEL, C1, U+2028,
/// U+2029, bidi controls, zero-width characters, the BOM) and no `=`, `@` or
/// `-` as its first character (what spreadsheets take for a formula in a CSV
/// cell). Invalid UTF-8 is `invalid_utf8`, everything else `bad_topic`.
///
/// Keys are what output, SQLite and the HTML report print: these rules keep a
/// NUL from cutting a key short (two series merging), an escape sequence from
/// reaching a terminal, and a 50 MB key from reaching a table.
public enum SeriesKeyRules {
    /// Longest level, in UTF-8 bytes.
    public static let maxLevelBytes = 128
    /// Longest key (levels and their `/` separators), in UTF-8 bytes.
    public static let maxKeyBytes = 512

    /// Checks one level of a series key.
    /// - Parameters:
    ///   - level: The level's bytes.
    ///   - position: 1-based level number, for the detail line.
    /// - Returns: `nil` when the level is acceptable, else the rejection.
    /// - Complexity: O(level length), no allocation unless it rejects.
    public static func check(level b: UnsafeRawBufferPointer, position: Int) -> ParseRejection? {
        if b.isEmpty { return ParseRejection(.badTopic, "series key level \(position) is empty") }
        if b.count > maxLevelBytes {
            return ParseRejection(.badTopic, "series key level \(position) is \(b.count) bytes, limit \(maxLevelBytes)")
        }
        if let bad = UTF8Validation.firstInvalid(b) {
            return ParseRejection(.invalidUTF8, "series key level \(position) is not valid UTF-8 at byte \(bad)")
        }
        let first = b[0]
        if first == UInt8(ascii: "=") || first == UInt8(ascii: "@") || first == UInt8(ascii: "-") {
            return ParseRejection(.badTopic, "series key level \(position) begins with '\(Character(Unicode.Scalar(first)))'")
        }
        // Fast path: printable ASCII other than / + #.
        var i = 0
        while i < b.count, b[i] >= 0x20, b[i] < 0x7F {
            let c = b[i]
            if c == UInt8(ascii: "/") || c == UInt8(ascii: "+") || c == UInt8(ascii: "#") {
                return ParseRejection(.badTopic, "series key level \(position) holds '\(Character(Unicode.Scalar(c)))'")
            }
            i += 1
        }
        if i == b.count { return nil }
        for scalar in String(decoding: b, as: UTF8.self).unicodeScalars {
            if scalar == "/" || scalar == "+" || scalar == "#" {
                return ParseRejection(.badTopic, "series key level \(position) holds '\(scalar)'")
            }
            if !isAllowed(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                return ParseRejection(.badTopic, "series key level \(position) holds control or format character U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)")
            }
        }
        return nil
    }

    /// Checks a whole key: its levels split at `/`, then its length.
    /// - Returns: `nil` when the key is acceptable, else the rejection.
    public static func check(key b: UnsafeRawBufferPointer) -> ParseRejection? {
        var start = 0
        var position = 1
        for i in 0...b.count where i == b.count || b[i] == UInt8(ascii: "/") {
            if let r = check(level: UnsafeRawBufferPointer(rebasing: b[start..<i]), position: position) { return r }
            start = i + 1
            position += 1
        }
        return checkLength(b.count)
    }

    /// String form of `check(key:)`.
    public static func check(key: String) -> ParseRejection? {
        var key = key
        return key.withUTF8 { check(key: UnsafeRawBufferPointer($0)) }
    }

    /// The key length rule alone (for callers that checked the levels).
    public static func checkLength(_ bytes: Int) -> ParseRejection? {
        bytes > maxKeyBytes ? ParseRejection(.badTopic, "series key is \(bytes) bytes, limit \(maxKeyBytes)") : nil
    }

    /// Not a control (Cc), format (Cf), line or paragraph separator (Zl, Zp),
    /// private-use or surrogate code point.
    private static func isAllowed(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate: false
        default: true
        }
    }
}
