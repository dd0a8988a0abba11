import Testing
import KlasterSparkplug

@Suite struct SparkplugHostStateTests {
    @Test func willBirthAndDeathShareTheConnectTimestamp() {
        let s = SparkplugHostState(hostID: "klaster", connectTimestamp: 1_764_547_200_123)
        #expect(s.topic == "spBv1.0/STATE/klaster")
        #expect(String(decoding: s.will, as: UTF8.self) == #"{"online":false,"timestamp":1764547200123}"#)
        #expect(String(decoding: s.birth, as: UTF8.self) == #"{"online":true,"timestamp":1764547200123}"#)
        #expect(s.death == s.will)
        #expect(SparkplugHostState.qos == 1 && SparkplugHostState.retained)
    }

    @Test func parse() {
        #expect(SparkplugHostState.parse(Array(#"{ "online": true, "timestamp": 42 }"#.utf8))! == (true, 42))
        #expect(SparkplugHostState.parse(Array("OFFLINE".utf8)) == nil)
    }

    @Test func rebirthCommand() throws {
        let c = SparkplugCommand.rebirth(group: "socar-karbamid", edge: "reformer", now: 1000)
        #expect(c.topic == "spBv1.0/socar-karbamid/NCMD/reformer")
        let p = try SparkplugPayload(decoding: c.payload)
        #expect(p == SparkplugPayload(timestamp: 1000, metrics: [
            SparkplugMetric(name: "Node Control/Rebirth", timestamp: 1000, datatype: .boolean, value: .boolean(true)),
        ]))
    }
}
