import Foundation
import KlasterCore
import TOMLKit

/// One TOML table being read by `ConfigLoader`: typed getters that name the
/// full key (`storage.raw_retention`) and the file in every error, and a
/// record of which keys were read so that `finish()` can reject unknown ones.
///
/// A class because nested readers and the loader share the "keys read" record
/// while a section is walked; it never leaves the loading call.
final class ConfigSection {
    private let table: TOMLTable
    /// Dotted path of this table (`mqtt`, `quantities.gas_volume_nm3`, `alerts[2]`); empty for the root.
    let path: String
    let file: String
    private var read: Set<String> = []

    init(_ table: TOMLTable, path: String, file: String) {
        self.table = table
        self.path = path
        self.file = file
    }

    var keys: [String] { table.keys }

    private func full(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error about the value at `key`.
    func bad(_ key: String, _ what: String) -> KlasterError {
        KlasterError(.usage, "\(file): \(full(key)) \(what)", hint: "deploy/klaster.example.toml shows every key with its meaning")
    }

    /// An error about a value that parses but lies outside what Klaster can
    /// run with (a ring of 2⁶³ slots, a retention that overflows the clock):
    /// exit 78, EX_CONFIG.
    func outOfRange(_ key: String, _ what: String) -> KlasterError {
        KlasterError(.config, "\(file): \(full(key)) \(what)", hint: "see deploy/klaster.example.toml for every key and its range")
    }

    /// An error about a required key that is absent.
    func missing(_ key: String) -> KlasterError {
        KlasterError(.usage, "\(file): \(full(key)) is required", hint: "add it to [\(path)]")
    }

    private func value(_ key: String) -> (any TOMLValueConvertible)? {
        read.insert(key)
        return table[key]
    }

    /// Rejects every key of this table that no getter asked for.
    func finish() throws(KlasterError) {
        for key in table.keys.sorted() where !read.contains(key) {
            throw KlasterError(.usage, "unknown config key '\(full(key))' in \(file)", hint: "remove it or fix its spelling; deploy/klaster.example.toml lists every key")
        }
    }

    func string(_ key: String) throws(KlasterError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.string else { throw bad(key, "must be a string") }
        return s
    }

    func requiredString(_ key: String) throws(KlasterError) -> String {
        guard let s = try string(key) else { throw missing(key) }
        guard !s.isEmpty else { throw bad(key, "must not be empty") }
        return s
    }

    func strings(_ key: String) throws(KlasterError) -> [String]? {
        guard let v = value(key) else { return nil }
        if let s = v.string { return [s] }
        guard let a = v.array else { throw bad(key, "must be an array of strings") }
        var out: [String] = []
        for element in a {
            guard let s = element.string else { throw bad(key, "must be an array of strings") }
            out.append(s)
        }
        return out
    }

    func int(_ key: String) throws(KlasterError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.int else { throw bad(key, "must be an integer") }
        return i
    }

    func positiveInt(_ key: String) throws(KlasterError) -> Int? {
        guard let i = try int(key) else { return nil }
        guard i > 0 else { throw bad(key, "must be positive") }
        return i
    }

    /// An integer that must lie in `range`; outside it is `outOfRange` (exit 78).
    func int(_ key: String, in range: ClosedRange<Int>) throws(KlasterError) -> Int? {
        guard let i = try int(key) else { return nil }
        guard range.contains(i) else {
            throw outOfRange(key, "is \(i), outside \(range.lowerBound)…\(range.upperBound)")
        }
        return i
    }

    /// An integer or floating-point number, as a `Double`.
    func number(_ key: String) throws(KlasterError) -> Double? {
        guard let v = value(key) else { return nil }
        if let d = v.double { guard d.isFinite else { throw bad(key, "must be finite") }; return d }
        if let i = v.int { return Double(i) }
        throw bad(key, "must be a number")
    }

    func bool(_ key: String) throws(KlasterError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.bool else { throw bad(key, "must be true or false") }
        return b
    }

    /// A duration string (`500ms`, `30s`, `5m`, `1h`, `1d`) in milliseconds.
    ///
    /// At most `ConfigDuration.longest` (100 years), so that `now - d` or
    /// `ts + d` can never overflow, unless `range` narrows it further.
    func duration(_ key: String, in range: ClosedRange<Int64> = 0...ConfigDuration.longest) throws(KlasterError) -> Int64? {
        guard let v = value(key) else { return nil }
        guard let s = v.string else { throw bad(key, "must be a duration string like \"5m\"") }
        guard let ms = ConfigDuration.parse(s), ms >= 0 else {
            throw bad(key, "\"\(s)\" is not a duration (use 500ms, 30s, 5m, 1h, 1d)")
        }
        guard range.contains(ms) else {
            throw outOfRange(key, "is \(s), outside \(DurationParser.format(range.lowerBound))…\(DurationParser.format(range.upperBound))")
        }
        return ms
    }

    /// MQTT keepalive in whole seconds: an integer (seconds) or a duration string.
    func keepAlive(_ key: String) throws(KlasterError) -> Int32? {
        guard let v = table[key] else { read.insert(key); return nil }
        if let i = v.int {
            read.insert(key)
            guard (1...65_535).contains(i) else { throw bad(key, "must be 1…65535 seconds") }
            return Int32(i)
        }
        guard let ms = try duration(key) else { return nil }
        guard ms >= 1000, ms / 1000 <= 65_535 else { throw bad(key, "must be 1s…65535s") }
        return Int32(ms / 1000)
    }

    /// A bucket width (`1m`, `15m`, `1h`, `1d`), from a value found at `key`.
    func parseWidth(_ text: String, at key: String) throws(KlasterError) -> BucketWidth {
        guard let ms = ConfigDuration.parse(text), ms > 0 else {
            throw bad(key, "\"\(text)\" is not a bucket width (use 1m, 15m, 1h, 1d)")
        }
        guard ms <= ConfigDuration.longest else { throw outOfRange(key, "\"\(text)\" is longer than 100 years") }
        return BucketWidth(millis: ms)
    }

    /// An instant: a TOML date or date-time, or a string `YYYY-MM-DD` / RFC 3339. Epoch ms UTC.
    func instant(_ key: String) throws(KlasterError) -> EpochMillis? {
        guard let v = value(key) else { return nil }
        if let d = v.date { return Self.epochMillis(year: d.year, month: d.month, day: d.day) }
        if let dt = v.dateTime {
            let day = Self.epochMillis(year: dt.date.year, month: dt.date.month, day: dt.date.day)
            let t = dt.time
            let ms = day + Int64(t.hour * 3_600_000 + t.minute * 60_000 + t.second * 1000 + t.nanoSecond / 1_000_000)
            return ms - Int64((dt.offset?.offset ?? 0)) * 60_000
        }
        guard let s = v.string else { throw bad(key, "must be a date like 2024-01-01") }
        if let ms = RFC3339.parse(s) { return ms }
        var bytes = Array(s.utf8)
        if let ms = bytes.withUnsafeMutableBytes({ RFC3339.parseDate(UnsafeRawBufferPointer($0)) }) { return ms }
        throw bad(key, "\"\(s)\" is not a date (use 2024-01-01 or RFC 3339)")
    }

    /// 00:00 UTC of a civil date, epoch ms.
    static func epochMillis(year: Int, month: Int, day: Int) -> EpochMillis {
        CivilDate.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day)) * 86_400_000
    }

    /// A sub-table; `nil` when absent.
    func table(_ key: String) throws(KlasterError) -> ConfigSection? {
        guard let v = value(key) else { return nil }
        guard let t = v.table else { throw bad(key, "must be a table ([\(full(key))])") }
        return ConfigSection(t, path: full(key), file: file)
    }

    /// An array of tables (`[[factors]]`); empty when absent.
    func tableArray(_ key: String) throws(KlasterError) -> [ConfigSection] {
        guard let v = value(key) else { return [] }
        guard let a = v.array else { throw bad(key, "must be an array of tables ([[\(full(key))]])") }
        var out: [ConfigSection] = []
        for (i, element) in a.enumerated() {
            guard let t = element.table else { throw bad(key, "must be an array of tables ([[\(full(key))]])") }
            out.append(ConfigSection(t, path: "\(full(key))[\(i + 1)]", file: file))
        }
        return out
    }
}
