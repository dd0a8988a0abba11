import ArgumentParser
import KlasterCore
import KlasterStore

/// `klaster cbam --year Y [--quarter Q]`: specific embedded emissions of the `[[cbam.goods]]`.
struct CbamCommand: APICommand {
    static let configuration = CommandConfiguration(
        commandName: "cbam",
        abstract: "CBAM specific embedded emissions (t CO2e per t) of each [[cbam.goods]] entry.",
        discussion: """
            SEE = (attributed emissions + Σ precursor mass × precursor SEE) / activity level, direct and \\
            indirect apart (Regulation (EU) 2023/956, Annex IV). Direct: the good's source streams × their \\
            [[factors]] × direct_share; indirect: electricity (MWh) × the scope-2 factor of \\
            emissions.scope2_method. Coverage per source stream: the share of hours with data and how gaps \\
            were filled (docs/cbam.md). Years and quarters are those of buckets.timezone. CO2 bound in urea \\
            is not deducted.
            """
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    @Option(help: "Reporting year (default: the current year in buckets.timezone).")
    var year: Int?

    @Option(help: "Quarter 1-4 of the year (default: the whole year).")
    var quarter: Int?

    @Option(help: ArgumentHelp("Current time (tests).", visibility: .hidden))
    var now: String?

    func validate() throws {
        if let quarter, !(1...4).contains(quarter) { throw ValidationError("--quarter must be 1, 2, 3 or 4") }
        if let year, !(1...9998).contains(year) { throw ValidationError("--year must be a year such as 2026") }
    }

    func run() async throws {
        try emit(output.resolved, to: StandardOutput.writeBytes)
    }

    /// The output in `format`, to `sink` (stdout, or the JSON API's body).
    func emit(_ format: OutputFormat, to sink: @escaping ([UInt8]) throws(KlasterError) -> Void) throws {
        let now = try EmissionsData.clock(now)
        let config = try options.loadConfig()
        guard !config.cbamGoods.isEmpty else {
            throw KlasterError(.config, "no [[cbam.goods]] in \(options.configPath)", hint: "add the goods to report; see deploy/klaster.example.toml")
        }
        let data = try EmissionsData(config: config, now: now)
        let year = year ?? data.calendar.year(of: now)
        let results = try CbamReport.compute(data: data, year: year, quarter: quarter)
        try sink(Array(CbamReport.table(results, zone: data.calendar.identifier).render(format).utf8))
    }
}

/// The CBAM computation and its one column list, shared by `klaster cbam`,
/// the report's CBAM section and the JSON API.
enum CbamReport {
    static func compute(data: EmissionsData, year: Int, quarter: Int?) throws(KlasterError) -> [CbamResult] {
        let period = quarter.map { data.calendar.interval(year: year, quarter: $0) } ?? data.calendar.interval(year: year)
        let label = quarter.map { "\(year)-Q\($0)" } ?? "\(year)"
        return try data.store.cbam(goods: data.config.cbamGoods, period: period, label: label, zone: data.calendar.identifier,
                                   factors: data.factors, now: data.now)
    }

    static func table(_ results: [CbamResult], zone: String) -> OutputTable {
        var t = OutputTable(columns: [
            .text("good"), .text("cn_code"), .text("period"), .text("timezone", header: "period in"),
            .number("activity_t", header: "activity", unit: "t"),
            .number("direct_t", header: "direct", unit: "t"),
            .number("indirect_t", header: "indirect", unit: "t"),
            .number("electricity_mwh", header: "electricity", unit: "MWh"),
            .number("precursor_direct_t", header: "precursor_direct", unit: "t"),
            .number("precursor_indirect_t", header: "precursor_indirect", unit: "t"),
            .number("see_direct", unit: "t/t", decimals: 4),
            .number("see_indirect", unit: "t/t", decimals: 4),
            .number("see_total", unit: "t/t", decimals: 4),
            .number("default_see", unit: "t/t", decimals: 4),
            .text("electricity_factors"), .text("coverage"),
        ])
        for r in results {
            t.append([
                .text(r.good.name), .text(r.good.cnCode), .text(r.period), .text(zone),
                .number(r.activityT), .number(r.directT), .number(r.indirectT),
                .number(r.electricityMWh), .number(r.precursorDirectT), .number(r.precursorIndirectT),
                .number(orNull: r.seeDirect), .number(orNull: r.seeIndirect), .number(orNull: r.seeTotal),
                .number(orNull: r.good.defaultSEE),
                factors(r.electricityFactors), coverage(r.coverage),
            ])
        }
        return t
    }

    static func exact(_ v: Double) -> String { NumberText.exact(v) ?? "null" }

    /// `[{"kg_co2e_per_kwh":0.384,"method":"location","source":"…"}]`; text `0.384 kg/kWh (source)`.
    static func factors(_ fs: [EmissionFactor]) -> OutputCell {
        var json: [UInt8] = [UInt8(ascii: "[")]
        for (i, f) in fs.enumerated() {
            if i > 0 { json.append(UInt8(ascii: ",")) }
            json += Array("{\"kg_co2e_per_kwh\":\(exact(f.kgCO2ePerUnit)),\"method\":".utf8)
            if let m = f.method { JSON.appendString(m.rawValue, to: &json) } else { json += Array("null".utf8) }
            json += Array(",\"source\":".utf8)
            JSON.appendString(f.source, to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "]"))
        let text = fs.map { "\(exact($0.kgCO2ePerUnit)) kg/kWh (\($0.source))" }
        return .structured(json: String(decoding: json, as: UTF8.self), text: text.joined(separator: "; "))
    }

    /// Per stream: `{"series","slots","slots_with_data","share","substituted_slots","substituted_amount","substitution"}`;
    /// text `series 99.9% register`.
    static func coverage(_ cs: [StreamCoverage]) -> OutputCell {
        var json: [UInt8] = [UInt8(ascii: "[")]
        for (i, c) in cs.enumerated() {
            if i > 0 { json.append(UInt8(ascii: ",")) }
            json += Array("{\"series\":".utf8)
            JSON.appendString(c.series, to: &json)
            json += Array((",\"slots\":\(c.slots),\"slots_with_data\":\(c.slotsWithData),\"share\":\(exact(c.share)),"
                + "\"substituted_slots\":\(c.substitutedSlots),\"substituted_amount\":\(exact(c.substitutedAmount)),"
                + "\"substitution\":\"\(c.substitution.rawValue)\"}").utf8)
        }
        json.append(UInt8(ascii: "]"))
        let text = cs.map { c in
            "\(c.series) \(NumberText.rounded(c.share * 100, decimals: 1) ?? "")% \(c.substitution.rawValue)"
                + (c.substitutedSlots > 0 ? "(\(c.substitutedSlots))" : "")
        }
        return .structured(json: String(decoding: json, as: UTF8.self), text: text.joined(separator: "; "))
    }
}
