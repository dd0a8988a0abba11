import Testing
@testable import KlasterCore

@Suite struct TopicPatternTests {
    struct Case: Sendable, CustomStringConvertible {
        let pattern: String
        let topic: String
        let values: [String]?
        var description: String { "\(pattern) ~ \(topic)" }
    }

    @Test(arguments: [
        Case(pattern: "nextgen/{plant}/{meter}/{quantity}", topic: "nextgen/socar-polymer/m1/active_energy_kwh",
             values: ["socar-polymer", "m1", "active_energy_kwh"]),
        Case(pattern: "nextgen/{plant}/{meter}/{quantity}", topic: "nextgen/p/m", values: nil),
        Case(pattern: "nextgen/{plant}/{meter}/{quantity}", topic: "nextgen/p/m/q/extra", values: nil),
        Case(pattern: "nextgen/{plant}/{meter}/{quantity}", topic: "other/p/m/q", values: nil),
        Case(pattern: "nextgen/{plant}/{meter}/{quantity}", topic: "nextgen//m/q", values: nil),
        Case(pattern: "nextgen/{plant}/{meter}/{quantity}", topic: "nextgen/p/m/", values: nil),
        Case(pattern: "nextgen/{plant}/{meter}/{quantity}", topic: "", values: nil),
        Case(pattern: "site/+/{plant}/{meter}/{quantity}", topic: "site/baku/p/m/q", values: ["p", "m", "q"]),
        Case(pattern: "site/+/{plant}/{meter}/{quantity}", topic: "site//p/m/q", values: ["p", "m", "q"]),
        Case(pattern: "site/+/{plant}/{meter}/{quantity}", topic: "site/p/m/q", values: nil),
        Case(pattern: "{plant}/{meter}/{quantity}/#", topic: "p/m/q/raw/v2", values: ["p", "m", "q"]),
        Case(pattern: "{plant}/{meter}/{quantity}/#", topic: "p/m/q", values: ["p", "m", "q"]),
        Case(pattern: "{plant}/{meter}/{quantity}/#", topic: "p/m", values: nil),
        Case(pattern: "spBv1.0/{plant}/DDATA/+/{meter}", topic: "spBv1.0/g1/DDATA/edge/dev", values: ["g1", "dev"]),
        Case(pattern: "spBv1.0/{plant}/DDATA/+/{meter}", topic: "spBv1.0/g1/NDATA/edge/dev", values: nil),
    ])
    func matches(_ c: Case) throws {
        let p = try TopicPattern(c.pattern)
        #expect(p.match(c.topic) == c.values)
    }

    @Test func invalidUTF8LevelDoesNotMatch() throws {
        let p = try TopicPattern("a/{x}")
        let bytes: [UInt8] = [UInt8(ascii: "a"), UInt8(ascii: "/"), 0xFF, 0xFE]
        #expect(bytes.withUnsafeBytes { p.match($0) } == nil)
    }

    @Test(arguments: ["", "a/b", "a/#/{x}", "a/{}", "a/{x}/{x}", "a/b+/{x}", "a/{x}y", "a/{x y}", "#/{x}", "a/x#/{y}"])
    func rejectsBadPatterns(_ text: String) {
        do {
            _ = try TopicPattern(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .usage)
            #expect(error.message.hasPrefix("bad topic pattern"))
        }
    }

    @Test func keyAndLevels() throws {
        let p = try TopicPattern("nextgen/{plant}/{meter}/{quantity}")
        #expect(p.names == ["plant", "meter", "quantity"])
        #expect(p.hasPlant && p.hasQuantity)
        #expect(p.seriesKey(["a", "b", "c"]) == "a/b/c")
        #expect(p.subscriptionFilter == "nextgen/+/+/+")
        let q = try TopicPattern("x/{meter}/#")
        #expect(!q.hasPlant && !q.hasQuantity)
        #expect(q.subscriptionFilter == "x/+/#")
        #expect(TopicPattern.default == p)
    }
}

@Suite struct SeriesResolverTests {
    func resolver(known: [SeriesInfo] = [], pattern: String = "nextgen/{plant}/{meter}/{quantity}") throws -> SeriesResolver {
        SeriesResolver(pattern: try TopicPattern(pattern), quantities: QuantityTable(), known: known)
    }

    @Test func sameTopicSameIDAndReportedOnce() throws {
        let r = try resolver()
        let a = r.resolve(topic: "nextgen/p1/m1/active_energy_kwh")
        let b = r.resolve(topic: "nextgen/p1/m2/active_power_kw")
        #expect(a == 1 && b == 2)
        #expect(r.resolve(topic: "nextgen/p1/m1/active_energy_kwh") == a)
        let new = r.takeNewSeries()
        #expect(new.map(\.id) == [1, 2])
        #expect(new[0] == SeriesInfo(id: 1, key: "p1/m1/active_energy_kwh", plant: "p1", quantity: "active_energy_kwh", kind: .counter, unit: "kWh"))
        #expect(new[1].kind == .gauge && new[1].unit == "kW")
        #expect(r.resolve(topic: "nextgen/p1/m1/active_energy_kwh") == a)
        #expect(r.takeNewSeries().isEmpty)
        #expect(r.count == 2)
    }

    @Test func badTopicIsNil() throws {
        let r = try resolver()
        #expect(r.resolve(topic: "nextgen/p1/m1") == nil)
        #expect(r.resolve(topic: "other/p/m/q") == nil)
        #expect(r.takeNewSeries().isEmpty)
    }

    @Test func seededIDsRespected() throws {
        let known = [
            SeriesInfo(id: 7, key: "p1/m1/active_energy_kwh", plant: "p1", quantity: "active_energy_kwh", kind: .counter, unit: "kWh"),
            SeriesInfo(id: 3, key: "p1/m1/temperature_c", plant: "p1", quantity: "temperature_c", kind: .gauge, unit: "°C"),
        ]
        let r = try resolver(known: known)
        #expect(r.resolve(topic: "nextgen/p1/m1/active_energy_kwh") == 7)
        #expect(r.resolve(topic: "nextgen/p1/m1/temperature_c") == 3)
        #expect(r.takeNewSeries().isEmpty)
        #expect(r.resolve(topic: "nextgen/p2/m1/unknown_thing") == 8)
        let new = r.takeNewSeries()
        #expect(new == [SeriesInfo(id: 8, key: "p2/m1/unknown_thing", plant: "p2", quantity: "unknown_thing", kind: .gauge, unit: "")])
        #expect(r.resolve(plant: "p1", meter: "m1", quantity: "active_energy_kwh") == 7)
    }

    @Test func wildcardTopicsShareASeries() throws {
        let r = try resolver(pattern: "site/+/{plant}/{meter}/{quantity}")
        let a = r.resolve(topic: "site/gw1/p/m/q")
        let b = r.resolve(topic: "site/gw2/p/m/q")
        #expect(a != nil && a == b)
        #expect(r.takeNewSeries().count == 1)
    }

    @Test func quantityOverridesApply() throws {
        let table = QuantityTable(overrides: ["flare_nm3": QuantitySpec(kind: .counter, unit: "Nm³")])
        let r = SeriesResolver(pattern: try TopicPattern("{plant}/{meter}/{quantity}"), quantities: table, known: [])
        _ = r.resolve(topic: "p/m/flare_nm3")
        #expect(r.takeNewSeries().first.map { ($0.kind, $0.unit) } ?? (.gauge, "") == (.counter, "Nm³"))
    }

    @Test func patternWithoutPlantOrQuantity() throws {
        let r = try resolver(pattern: "meters/{meter}/#")
        #expect(r.resolve(topic: "meters/abc/x/y") != nil)
        let info = r.takeNewSeries()[0]
        #expect(info.key == "abc" && info.plant == nil && info.quantity == nil && info.kind == .gauge)
    }

    @Test func lineProtocolKeysShareTopicSeries() throws {
        let r = try resolver()
        let t = r.resolve(topic: "nextgen/p/m/active_power_kw")
        #expect(r.resolve(plant: "p", meter: "m", quantity: "active_power_kw") == t)
        #expect(r.resolve(plant: "p", meter: "", quantity: "x") == nil)
        #expect(r.resolve(plant: "p/q", meter: "m", quantity: "x") == nil)
        #expect(r.takeNewSeries().count == 1)
    }

    @Test func manySeriesGrowTables() throws {
        let r = try resolver()
        for i in 0..<5000 { #expect(r.resolve(topic: "nextgen/p\(i % 7)/m\(i)/q") == SeriesID(i + 1)) }
        for i in stride(from: 0, to: 5000, by: 97) { #expect(r.resolve(topic: "nextgen/p\(i % 7)/m\(i)/q") == SeriesID(i + 1)) }
        #expect(r.takeNewSeries().count == 5000)
    }
}
