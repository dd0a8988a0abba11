import Foundation
import KlasterCLI
import KlasterCore
import Testing

/// `[sparkplug]` and `[sparkplug.metrics]`: the contract's keys.
@Suite struct SparkplugConfigTests {
    @Test func everyKey() throws {
        let c = try ConfigLoader.parse("""
        [sparkplug]
        host_id = "klaster"
        groups = ["socar-karbamid", "socar-polymer"]
        reorder_timeout = "500ms"
        rebirth_interval = "10s"
        [sparkplug.metrics]
        "Gas/Volume" = "gas_volume_nm3"
        "Energy/Import" = "active_energy_kwh"
        """, file: "k.toml")
        #expect(c.sparkplug.hostID == "klaster")
        #expect(c.sparkplug.groups == ["socar-karbamid", "socar-polymer"])
        #expect(c.sparkplug.reorderTimeout == 500)
        #expect(c.sparkplug.rebirthInterval == 10_000)
        #expect(c.sparkplug.metrics == ["Gas/Volume": "gas_volume_nm3", "Energy/Import": "active_energy_kwh"])
        #expect(c.sparkplug.isEnabled)
    }

    @Test func absentSectionIsOffAndEmptySectionIsEveryGroup() throws {
        #expect(!(try ConfigLoader.parse("", file: "k.toml")).sparkplug.isEnabled)
        let c = try ConfigLoader.parse("[sparkplug]\n", file: "k.toml")
        #expect(c.sparkplug.groups == ["+"] && c.sparkplug.hostID == nil && c.sparkplug.reorderTimeout == 2_000)
    }

    @Test(arguments: [
        ("[sparkplug]\nhost_id = \"a/b\"", "sparkplug.host_id"),
        ("[sparkplug]\ngroups = []", "sparkplug.groups"),
        ("[sparkplug]\ngroups = [\"a/b\"]", "sparkplug.groups"),
        ("[sparkplug]\ngroups = [\"#\"]", "sparkplug.groups"),
        ("[sparkplug]\nreorder_timeout = \"soon\"", "sparkplug.reorder_timeout"),
        ("[sparkplug.metrics]\n\"X\" = \"a/b\"", "sparkplug.metrics.X"),
        ("[sparkplug]\nhost = \"x\"", "sparkplug.host"),
    ])
    func badValuesAreUsageErrorsNamingTheKey(text: String, key: String) {
        #expect {
            _ = try ConfigLoader.parse(text, file: "k.toml")
        } throws: { error in
            guard let e = error as? KlasterError else { return false }
            return e.code == .usage && e.message.contains(key) && e.message.contains("k.toml")
        }
    }
}
