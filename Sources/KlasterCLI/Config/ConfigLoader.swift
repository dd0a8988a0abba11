import Foundation
import KlasterCore
import KlasterStore
import TOMLKit

/// Reads `klaster.toml` (README "Configuration reference") into a `KlasterConfig`.
///
/// Every key of the documented config is read here, once; durations become
/// milliseconds here and nowhere else. A key the loader does not know is an
/// error naming the key and the file, so a typo never silently falls back to
/// a default.
public enum ConfigLoader {
    /// The config path used when `--config` is not given.
    public static let defaultPath = "klaster.toml"

    /// Loads and validates a config file.
    /// - Parameters:
    ///   - path: The TOML file.
    ///   - required: When `false` (the default `./klaster.toml`), a missing
    ///     file yields the defaults; when `true` (an explicit `--config`), a
    ///     missing file is an error.
    /// - Returns: The config with the documented defaults for absent keys.
    /// - Throws: `KlasterError(.noInput)` for a missing required file,
    ///   `.ioError` for an unreadable one, `.usage` for a TOML syntax error,
    ///   an unknown key or a bad value (each naming the key and the file).
    public static func load(path: String, required: Bool) throws(KlasterError) -> KlasterConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            if required {
                throw KlasterError(.noInput, "config file \(path) not found", hint: "check --config, or omit it to use the defaults")
            }
            return KlasterConfig()
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KlasterError(.ioError, "cannot read config file \(path)", hint: "check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw KlasterError(.usage, "config file \(path) is not UTF-8", hint: "save it as UTF-8 TOML")
        }
        return try parse(text, file: path)
    }

    /// Parses TOML text (already read) into a config; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(KlasterError) -> KlasterConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw KlasterError(.usage, "\(file): \(error.source.begin.debugDescription): \(error.description)", hint: "fix the TOML syntax")
        } catch {
            throw KlasterError(.usage, "\(file): \(error)", hint: "fix the TOML syntax")
        }
        var config = KlasterConfig()
        let reader = ConfigSection(root, path: "", file: file)
        if let t = try reader.table("mqtt") { try readMQTT(t, into: &config.mqtt) }
        if let t = try reader.table("storage") { try readStorage(t, into: &config.storage) }
        if let t = try reader.table("buckets") { try readBuckets(t, into: &config.buckets) }
        if let t = try reader.table("ingest") { try readIngest(t, into: &config.ingest) }
        if let t = try reader.table("http") { try readHTTP(t, into: &config.http) }
        if let t = try reader.table("sparkplug") { try readSparkplug(t, into: &config.sparkplug) }
        if let t = try reader.table("quantities") { config.quantities = QuantityTable(overrides: try readQuantities(t)) }
        for t in try reader.tableArray("factors") { config.factors.append(try readFactor(t)) }
        for t in try reader.tableArray("targets") { config.targets.append(try readTarget(t)) }
        for t in try reader.tableArray("alerts") { config.alerts.append(try readAlert(t)) }
        if let t = try reader.table("emissions") { try readEmissions(t, into: &config.emissions) }
        if let t = try reader.table("cbam") { config.cbamGoods = try readCbam(t) }
        try reader.finish()
        try validate(config, file: file)
        return config
    }

    /// The ranges of the numeric keys. Outside them a value is refused with
    /// exit 78 (EX_CONFIG) before anything starts: each bound keeps a
    /// computation from overflowing or an allocation from exhausting memory.
    enum Limits {
        /// Ring slots (rounded up to a power of two): 2²² readings in flight is
        /// far beyond any batch, and allocating them stays within a few hundred MiB.
        static let ringCapacity = 2...4_194_304
        /// A batch is one transaction and one allocation of its rows.
        static let batchMaxMessages = 1...1_000_000
        /// A batch must close before broker redelivery or a human notices.
        static let batchMaxDelay: ClosedRange<Int64> = 1...60_000
        /// MQTT's own limit on a packet (268,435,455 bytes).
        static let maxPayloadBytes = 1...268_435_455
        /// Series known at once (each costs memory for as long as the process runs).
        static let maxSeries = 1...10_000_000
        /// One year ahead.
        static let maxFuture: Int64 = 365 * 86_400_000
        /// Every reading this old stays in memory per series: a day at most.
        static let allowedLateness: Int64 = 86_400_000
        /// 1 ms … 1 h between reconnect attempts.
        static let reconnect: ClosedRange<Int64> = 1...3_600_000
        /// MQTT 5's session expiry interval is a 32-bit count of seconds.
        static let sessionExpiry = Int64(UInt32.max) * 1000
    }

    // MARK: - Sections

    private static func readMQTT(_ s: ConfigSection, into m: inout KlasterConfig.MQTT) throws(KlasterError) {
        if let v = try s.string("url") { m.url = v }
        if let v = try s.string("client_id") { m.clientID = v }
        if let v = try s.strings("topics") { m.topics = v }
        if let v = try s.string("topic_pattern") { m.topicPattern = v }
        if let v = try s.int("qos") {
            guard (0...2).contains(v) else { throw s.bad("qos", "must be 0, 1 or 2") }
            m.qos = Int32(v)
        }
        if let v = try s.int("protocol") {
            guard v == 4 || v == 5 else { throw s.bad("protocol", "must be 4 (MQTT 3.1.1) or 5 (MQTT 5)") }
            m.protocolVersion = v
        }
        if let v = try s.duration("session_expiry", in: 0...Limits.sessionExpiry) { m.sessionExpiry = v }
        if let v = try s.string("shared_group") { m.sharedGroup = v }
        if let v = try s.string("username") { m.username = v }
        if let v = try s.string("password_file") { m.passwordFile = v }
        if let v = try s.string("ca_file") { m.caFile = v }
        if let v = try s.string("cert_file") { m.certFile = v }
        if let v = try s.string("key_file") { m.keyFile = v }
        if let v = try s.bool("tls_insecure") { m.tlsInsecure = v }
        if let v = try s.bool("buffered_io") { m.bufferedIO = v }
        if let v = try s.keepAlive("keepalive") { m.keepAlive = v }
        if let v = try s.duration("reconnect_min", in: Limits.reconnect) { m.reconnectMin = v }
        if let v = try s.duration("reconnect_max", in: Limits.reconnect) { m.reconnectMax = v }
        guard m.reconnectMin <= m.reconnectMax else {
            throw s.outOfRange("reconnect_min", "(\(DurationParser.format(m.reconnectMin))) is above reconnect_max (\(DurationParser.format(m.reconnectMax)))")
        }
        try s.finish()
    }

    private static func readStorage(_ s: ConfigSection, into st: inout KlasterConfig.Storage) throws(KlasterError) {
        if let v = try s.string("backend") {
            guard let b = KlasterConfig.Storage.Backend(rawValue: v) else {
                throw s.bad("backend", "must be \"sqlite\" or \"postgres\"")
            }
            st.backend = b
        }
        if let v = try s.string("path") { st.path = v }
        if let v = try s.string("url") {
            guard !v.isEmpty else { throw s.bad("url", "is empty (e.g. postgresql://klaster@127.0.0.1:5432/klaster)") }
            guard !v.contains(":@"), Self.uriPassword(v) == nil else {
                throw s.bad("url", "holds a password; put it in storage.password_file or KLASTER_PG_PASSWORD instead")
            }
            st.url = v
        }
        if let v = try s.string("password_file") { st.passwordFile = v }
        if let v = try s.string("durability") {
            guard let d = KlasterConfig.Storage.Durability(rawValue: v) else {
                throw s.bad("durability", "must be \"process\" or \"power\"")
            }
            st.durability = d
        }
        if let v = try s.duration("raw_retention") { st.rawRetention = v }
        if let t = try s.table("bucket_retention") {
            for key in t.keys {
                let width = try t.parseWidth(key, at: key)
                if let v = try t.duration(key) { st.bucketRetention[width.millis] = v }
            }
            try t.finish()
        }
        try s.finish()
    }

    /// The password of a `postgresql://user:password@host/…` URI, if it has one.
    static func uriPassword(_ url: String) -> String? {
        if let q = url.firstIndex(of: "?"), url[q...].split(separator: "&").contains(where: {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "?")).lowercased().hasPrefix("password=")
        }) { return "" }
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userinfo = authority[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return nil }
        return String(userinfo[userinfo.index(after: colon)...])
    }

    private static func readBuckets(_ s: ConfigSection, into b: inout KlasterConfig.Buckets) throws(KlasterError) {
        if let v = try s.strings("widths") {
            var widths: [BucketWidth] = []
            for w in v { widths.append(try s.parseWidth(w, at: "widths")) }
            guard !widths.isEmpty else { throw s.bad("widths", "needs at least one width") }
            b.widths = Array(Set(widths)).sorted()
        }
        if let v = try s.duration("allowed_lateness", in: 0...Limits.allowedLateness) { b.allowedLateness = v }
        if let v = try s.string("timezone") {
            guard TimeZone(identifier: v) != nil else { throw s.bad("timezone", "unknown time zone \"\(v)\" (use an IANA name like Asia/Baku)") }
            b.timezone = v
        }
        try s.finish()
    }

    private static func readIngest(_ s: ConfigSection, into i: inout KlasterConfig.Ingest) throws(KlasterError) {
        if let v = try s.duration("max_future", in: 0...Limits.maxFuture) { i.maxFuture = v }
        if let v = try s.int("batch_max_messages", in: Limits.batchMaxMessages) { i.batchMaxMessages = v }
        if let v = try s.duration("batch_max_delay", in: Limits.batchMaxDelay) { i.batchMaxDelay = v }
        if let v = try s.int("ring_capacity", in: Limits.ringCapacity) { i.ringCapacity = v }
        if let v = try s.int("max_payload_bytes", in: Limits.maxPayloadBytes) { i.maxPayloadBytes = v }
        if let v = try s.int("max_series", in: Limits.maxSeries) { i.maxSeries = v }
        if let v = try s.instant("min_ts") {
            guard (0...RFC3339.maxMillis).contains(v) else { throw s.outOfRange("min_ts", "must lie in 1970…9999") }
            i.minTs = v
        }
        try s.finish()
    }

    private static func readHTTP(_ s: ConfigSection, into h: inout KlasterConfig.HTTP) throws(KlasterError) {
        if let v = try s.string("listen") { h.listen = v.isEmpty ? nil : v }
        try s.finish()
    }

    /// `[sparkplug]`: a present section turns Sparkplug on (`groups` defaults to `["+"]`).
    private static func readSparkplug(_ s: ConfigSection, into sp: inout KlasterConfig.Sparkplug) throws(KlasterError) {
        if let v = try s.string("host_id") {
            guard !v.isEmpty, !v.contains(where: { "/+#".contains($0) }) else {
                throw s.bad("host_id", "must be a non-empty topic level without '/', '+' or '#'")
            }
            sp.hostID = v
        }
        sp.groups = ["+"]
        if let v = try s.strings("groups") {
            guard !v.isEmpty else { throw s.bad("groups", "needs at least one group (\"+\" = every group)") }
            for g in v where g.isEmpty || g.contains("/") || g.contains("#") || (g.contains("+") && g != "+") {
                throw s.bad("groups", "\"\(g)\" is not a group id (a topic level, or \"+\")")
            }
            sp.groups = v
        }
        if let v = try s.duration("reorder_timeout") { sp.reorderTimeout = v }
        if let v = try s.duration("rebirth_interval") { sp.rebirthInterval = v }
        if let m = try s.table("metrics") {
            for name in m.keys {
                guard let q = try m.string(name) else { continue }
                guard !q.isEmpty, !q.contains("/") else { throw m.bad(name, "must be a quantity name without '/'") }
                sp.metrics[name] = q
            }
            try m.finish()
        }
        try s.finish()
    }

    private static func readQuantities(_ s: ConfigSection) throws(KlasterError) -> [String: QuantitySpec] {
        var out: [String: QuantitySpec] = [:]
        for name in s.keys {
            guard let q = try s.table(name) else { continue }
            let base = QuantityTable.builtIn[name] ?? QuantitySpec(kind: .gauge, unit: "")
            var spec = base
            if let v = try q.string("kind") {
                guard let k = QuantityKind(rawValue: v) else { throw q.bad("kind", "must be \"counter\" or \"gauge\"") }
                spec.kind = k
            }
            if let v = try q.string("unit") { spec.unit = v }
            if let v = try q.number("rollover") {
                guard v > 0 else { throw q.bad("rollover", "must be positive") }
                spec.rollover = v
            }
            if let v = try q.number("max_rate") {
                guard v > 0 else { throw q.bad("max_rate", "must be positive") }
                spec.maxRate = v
            }
            try q.finish()
            out[name] = spec
        }
        try s.finish()
        return out
    }

    private static func readFactor(_ s: ConfigSection) throws(KlasterError) -> EmissionFactor {
        let quantity = try s.requiredString("quantity")
        let plant = try s.string("plant")
        guard let perUnit = try s.number("kg_co2e_per_unit") else { throw s.missing("kg_co2e_per_unit") }
        let scopeNumber = try s.int("scope") ?? 1
        guard let scope = Scope(rawValue: scopeNumber) else { throw s.bad("scope", "must be 1 or 2") }
        var method: EmissionFactor.Method?
        if let v = try s.string("method") {
            guard let m = EmissionFactor.Method(rawValue: v) else { throw s.bad("method", "must be \"location\" or \"market\"") }
            method = m
        }
        let source = try s.string("source") ?? ""
        let validFrom = try s.instant("valid_from")
        try s.finish()
        return EmissionFactor(quantity: quantity, plant: plant, kgCO2ePerUnit: perUnit, scope: scope,
                              method: method, source: source, validFrom: validFrom)
    }

    private static func readTarget(_ s: ConfigSection) throws(KlasterError) -> Target {
        let name = try s.requiredString("name")
        let coverageName = try s.string("scope") ?? "cluster"
        guard let coverage = Target.Coverage(rawValue: coverageName) else { throw s.bad("scope", "must be \"cluster\" or \"plant\"") }
        let plant = try s.string("plant")
        if coverage == .plant && plant == nil { throw s.missing("plant") }
        let kindName = try s.string("kind") ?? "absolute"
        guard let kind = Target.Kind(rawValue: kindName) else { throw s.bad("kind", "must be \"absolute\" or \"intensity\"") }
        guard let baseYear = try s.int("base_year") else { throw s.missing("base_year") }
        let baseT = try s.number("base_t")
        let baseIntensity = try s.number("base_intensity")
        if kind == .absolute && baseT == nil { throw s.missing("base_t") }
        if kind == .intensity && baseIntensity == nil { throw s.missing("base_intensity") }
        guard let targetYear = try s.int("target_year") else { throw s.missing("target_year") }
        guard targetYear > baseYear else { throw s.bad("target_year", "must be after base_year") }
        guard let reduction = try s.number("reduction") else { throw s.missing("reduction") }
        guard (0...1).contains(reduction) else { throw s.bad("reduction", "is a fraction between 0 and 1 (0.42 = 42 %)") }
        try s.finish()
        return Target(name: name, scope: coverage, plant: plant, kind: kind, baseYear: baseYear,
                      baseTonnes: baseT, baseIntensity: baseIntensity, targetYear: targetYear, reduction: reduction)
    }

    private static func readAlert(_ s: ConfigSection) throws(KlasterError) -> AlertRule {
        let name = try s.requiredString("name")
        let series = try s.string("series")
        let group = try s.string("group")
        guard (series == nil) != (group == nil) else { throw s.bad("series", "give exactly one of series or group") }
        guard let every = try s.duration("every") else { throw s.missing("every") }
        let aggName = try s.string("agg") ?? "mean"
        guard let agg = AlertRule.Aggregate(rawValue: aggName) else {
            throw s.bad("agg", "must be one of \(AlertRule.Aggregate.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let warn = try s.number("warn")
        let crit = try s.number("crit")
        if warn == nil && crit == nil { throw s.missing("warn") }
        let warnReset = try s.number("warn_reset")
        let critReset = try s.number("crit_reset")
        let holdFor = try s.duration("for") ?? 0
        let staleAfter = try s.duration("stale_after")
        try s.finish()
        return AlertRule(name: name, series: series, group: group, every: every, agg: agg, warn: warn, crit: crit,
                         warnReset: warnReset, critReset: critReset, holdFor: holdFor, staleAfter: staleAfter)
    }

    private static func readEmissions(_ s: ConfigSection, into e: inout KlasterConfig.Emissions) throws(KlasterError) {
        if let v = try s.string("scope2_method") {
            guard let m = EmissionFactor.Method(rawValue: v) else { throw s.bad("scope2_method", "must be \"location\" or \"market\"") }
            e.scope2Method = m
        }
        try s.finish()
    }

    private static func readCbam(_ s: ConfigSection) throws(KlasterError) -> [CbamGood] {
        var goods: [CbamGood] = []
        for g in try s.tableArray("goods") {
            let name = try g.requiredString("name")
            guard !goods.contains(where: { $0.name == name }) else { throw g.bad("name", "'\(name)' is listed twice") }
            let cn = try g.requiredString("cn_code")
            let production = try g.requiredString("production")
            let direct = try g.strings("direct") ?? []
            let share = try g.number("direct_share") ?? 1
            guard (0...1).contains(share) else { throw g.bad("direct_share", "is a fraction between 0 and 1") }
            let electricity = try g.strings("electricity") ?? []
            var precursors: [CbamGood.Precursor] = []
            for p in try g.tableArray("precursors") {
                let good = try p.requiredString("good")
                let tPerT = try p.number("t_per_t")
                let series = try p.string("series")
                guard (tPerT == nil) != (series == nil) else { throw p.bad("t_per_t", "give exactly one of t_per_t or series") }
                if let tPerT, tPerT < 0 { throw p.bad("t_per_t", "must not be negative") }
                try p.finish()
                precursors.append(CbamGood.Precursor(good: good, tPerT: tPerT, series: series))
            }
            let defaultSEE = try g.number("default_see")
            try g.finish()
            for glob in [production] + direct + electricity + precursors.compactMap(\.series) {
                do { _ = try SeriesGlob(glob) } catch { throw g.bad("production", "has a bad series glob '\(glob)'") }
            }
            goods.append(CbamGood(name: name, cnCode: cn, production: production, direct: direct, directShare: share,
                                  electricity: electricity, precursors: precursors, defaultSEE: defaultSEE))
        }
        try s.finish()
        do { _ = try CbamGood.productionOrder(goods) } catch { throw KlasterError(error.code, "\(s.file): \(error.message)", hint: error.hint) }
        return goods
    }

    private static func validate(_ c: KlasterConfig, file: String) throws(KlasterError) {
        if c.mqtt.protocolVersion == 4 && c.mqtt.clientID.isEmpty {
            throw KlasterError(.usage, "\(file): mqtt.client_id is empty", hint: "a fixed client id is needed for a persistent session")
        }
        for (width, _) in c.storage.bucketRetention where !c.buckets.widths.contains(BucketWidth(millis: width)) {
            throw KlasterError(.usage, "\(file): storage.bucket_retention names width \(BucketWidth(millis: width)), which buckets.widths does not store",
                               hint: "stored widths: \(c.buckets.widths.map(\.description).joined(separator: ", "))")
        }
    }
}
