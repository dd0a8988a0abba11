import Foundation
import KlasterCLI
import KlasterCore
import Testing

/// `[[cbam.goods]]`, `[emissions] scope2_method` and `buckets.timezone`.
@Suite struct ObligationsConfigTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../deploy/klaster.example.toml").standardized.path

    @Test func exampleConfigCarriesTheGoodsOfTheContract() throws {
        let c = try ConfigLoader.load(path: Self.example, required: true)
        #expect(c.emissions.scope2Method == .location)
        #expect(c.buckets.timezone == "Asia/Baku")
        #expect(c.cbamGoods.map(\.name) == ["ammonia", "urea"])
        let urea = c.cbamGoods[1]
        #expect(urea.cnCode == "3102 10 12")
        #expect(urea.production == "socar-karbamid/urea-line/production_t")
        #expect(urea.direct == ["socar-karbamid/steam-header/steam_mass_t"])
        #expect(urea.electricity == ["socar-karbamid/urea-feeder-*/active_energy_kwh"])
        #expect(urea.precursors == [CbamGood.Precursor(good: "ammonia", tPerT: 0.567)])
        #expect(urea.defaultSEE == 2.75)
        #expect(urea.directShare == 1)
        #expect(c.cbamGoods[0].directShare == 1.0)
    }

    @Test func meteredPrecursorAndMarketMethod() throws {
        let c = try ConfigLoader.parse("""
            [emissions]
            scope2_method = "market"
            [[cbam.goods]]
            name = "ammonia"
            cn_code = "2814 10 00"
            production = "k/a/ammonia_t"
            direct_share = 0.9
            [[cbam.goods]]
            name = "urea"
            cn_code = "3102 10 12"
            production = "k/u/production_t"
            precursors = [{ good = "ammonia", series = "k/u/ammonia_in_t" }]
            """, file: "t.toml")
        #expect(c.emissions.scope2Method == .market)
        #expect(c.cbamGoods[0].directShare == 0.9)
        #expect(c.cbamGoods[1].precursors == [CbamGood.Precursor(good: "ammonia", series: "k/u/ammonia_in_t")])
    }

    @Test(arguments: [
        ("[emissions]\nscope2_method = \"residual\"", "t.toml: emissions.scope2_method must be \"location\" or \"market\""),
        ("[[cbam.goods]]\nname = \"u\"\ncn_code = \"3102\"\nproduction = \"a/b/c\"\nprecursors = [{ good = \"u\", t_per_t = 1 }]",
         "t.toml: cbam.goods: precursors of 'u' form a cycle"),
        ("[[cbam.goods]]\nname = \"u\"\ncn_code = \"3102\"\nproduction = \"a/b/c\"\nprecursors = [{ good = \"x\" }]",
         "t.toml: cbam.goods[1].precursors[1].t_per_t give exactly one of t_per_t or series"),
        ("[[cbam.goods]]\nname = \"u\"\ncn_code = \"3102\"\nproduction = \"a/b/c\"\ndirect_share = 1.5",
         "t.toml: cbam.goods[1].direct_share is a fraction between 0 and 1"),
        ("[[cbam.goods]]\nname = \"u\"\ncn_code = \"3102\"\nproduction = \"a/b/c\"\nelectric = [\"x\"]",
         "unknown config key 'cbam.goods[1].electric' in t.toml"),
        ("[buckets]\ntimezone = \"Mars/Olympus\"", "t.toml: buckets.timezone unknown time zone \"Mars/Olympus\" (use an IANA name like Asia/Baku)"),
    ])
    func badKeysAreNamed(_ toml: String, _ message: String) {
        do {
            _ = try ConfigLoader.parse(toml, file: "t.toml")
            Issue.record("accepted: \(toml)")
        } catch {
            #expect(error.message == message)
        }
    }
}
