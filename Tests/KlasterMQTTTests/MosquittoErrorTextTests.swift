import KlasterCore
@testable import KlasterMQTT
import Testing

/// A keepalive timeout was logged as libmosquitto's "Unknown error.".
struct MosquittoErrorTextTests {
    @Test func keepaliveTimeoutHasARealMessage() {
        #expect(MosquittoErrors.describe(19) == "keepalive timeout: the broker did not answer a ping within mqtt.keepalive")
        guard case .transient(let e) = MosquittoErrors.classify(19, doing: "MQTT keepalive on mqtt://127.0.0.1:1883") else {
            Issue.record("a keepalive timeout must be transient (reconnect)")
            return
        }
        #expect(e.message == "MQTT keepalive on mqtt://127.0.0.1:1883: keepalive timeout: the broker did not answer a ping within mqtt.keepalive")
        #expect(MosquittoErrors.describe(7) == "the broker closed the connection")
    }
}
