import Testing
import KlasterSparkplug

@Suite struct SparkplugTopicTests {
    @Test func nodeAndDeviceTopics() {
        #expect(SparkplugTopic("spBv1.0/socar-karbamid/NDATA/reformer-edge")
            == .message(group: "socar-karbamid", type: .ndata, edge: "reformer-edge", device: nil))
        #expect(SparkplugTopic("spBv1.0/socar-karbamid/DDATA/reformer-edge/gas-inlet")
            == .message(group: "socar-karbamid", type: .ddata, edge: "reformer-edge", device: "gas-inlet"))
        #expect(SparkplugTopic("spBv1.0/STATE/klaster") == .state(hostID: "klaster"))
    }

    @Test(arguments: [
        "spBv1.0/g/NDATA", "spBv1.0/g/NDATA/e/d", "spBv1.0/g/DDATA/e", "spBv1.0/g/DDATA/e/d/x",
        "spBv1.0/g/NFOO/e", "spBv2.0/g/NDATA/e", "spBv1.0//NDATA/e", "spBv1.0/g/NDATA/", "nextgen/a/b/c",
        "spBv1.0/STATE", "spBv1.0/STATE/a/b",
    ])
    func malformedTopics(topic: String) {
        #expect(SparkplugTopic(topic) == nil)
    }

    @Test func descriptionRoundTrips() {
        for t in ["spBv1.0/g/NBIRTH/e", "spBv1.0/g/DDEATH/e/d", "spBv1.0/STATE/h"] {
            #expect(SparkplugTopic(t)?.description == t)
        }
        #expect(SparkplugTopic.filter(group: "+") == "spBv1.0/+/#")
    }
}
