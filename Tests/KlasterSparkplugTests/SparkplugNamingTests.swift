import Testing
import KlasterSparkplug

@Suite struct SparkplugNamingTests {
    @Test(arguments: [
        ("Gas/Volume", "gas_volume"), ("Flow (Nm3/h)", "flow_nm3_h"), ("temperature_c", "temperature_c"),
        ("  Active   Power ", "active_power"), ("Ölçü", "l"), ("---", "_"), ("A1b2", "a1b2"),
    ])
    func slugs(name: String, slug: String) {
        #expect(SparkplugNaming.slug(name) == slug)
    }

    @Test func mappedNamesWin() {
        let n = SparkplugNaming(metrics: ["Gas/Volume": "gas_volume_nm3"])
        #expect(n.quantity(for: "Gas/Volume") == "gas_volume_nm3")
        #expect(n.quantity(for: "Gas/Flow") == "gas_flow")
    }

    @Test func protocolMetrics() {
        #expect(SparkplugNaming.isProtocolMetric("bdSeq"))
        #expect(SparkplugNaming.isProtocolMetric("Node Control/Rebirth"))
        #expect(SparkplugNaming.isProtocolMetric("Device Control/Reboot"))
        #expect(!SparkplugNaming.isProtocolMetric("Gas/Volume"))
    }
}
