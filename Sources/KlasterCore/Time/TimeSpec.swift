/// The times accepted by `--from`, `--to` and `--since` (README "CLI reference"):
/// RFC 3339, epoch milliseconds, `now`, and relative forms like `-24h`, `-7d`, `+1h`.
public enum TimeSpec {
    /// Parses a time specification.
    ///
    /// Accepted forms:
    /// - `now`, and `now-24h` / `now+1h`;
    /// - `-24h`, `-7d`, `+1h`, `-1h30m`: relative to `now` (durations as `DurationParser`);
    /// - an epoch-millisecond integer (`1772366400000`);
    /// - RFC 3339 (`2026-03-01T12:00:00Z`, `2026-03-01T16:00:00.250+04:00`), and a
    ///   bare date `2026-03-01` meaning midnight UTC.
    /// - Parameters:
    ///   - s: The text; surrounding spaces are ignored.
    ///   - now: The reference time for `now` and relative forms.
    /// - Returns: Epoch milliseconds, UTC.
    /// - Throws: `KlasterError(.usage, "bad time '…'")`.
    public static func parse(_ s: String, now: EpochMillis) throws(KlasterError) -> EpochMillis {
        let bad = KlasterError(.usage, "bad time '\(s)'", hint: "use RFC 3339, epoch ms, now, or -24h/-7d")
        var text = Substring(s)
        while let f = text.first, f == " " { text.removeFirst() }
        while let l = text.last, l == " " { text.removeLast() }
        if text.isEmpty { throw bad }
        var base: EpochMillis? = nil
        if text.lowercased().hasPrefix("now") {
            base = now
            text = text.dropFirst(3)
            if text.isEmpty { return now }
        }
        if let sign = text.first, sign == "-" || sign == "+" {
            let rest = String(text.dropFirst())
            let d: Int64
            do { d = try DurationParser.parse(rest) } catch { throw bad }
            let (r, o) = sign == "-" ? (base ?? now).subtractingReportingOverflow(d) : (base ?? now).addingReportingOverflow(d)
            if o { throw bad }
            return r
        }
        if base != nil { throw bad }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard text.utf8.count <= 18, let ms = Int64(text) else { throw bad }
            return ms
        }
        var bytes = Array(text.utf8)
        let parsed = bytes.withUnsafeMutableBytes { buf -> EpochMillis? in
            let raw = UnsafeRawBufferPointer(buf)
            if raw.count == 10 { return RFC3339.parseDate(raw) }
            return RFC3339.parse(raw)
        }
        bytes.removeAll()
        guard let parsed else { throw bad }
        return parsed
    }
}
