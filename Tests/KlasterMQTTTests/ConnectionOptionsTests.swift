import KlasterCore
@testable import KlasterMQTT
import KlasterTestSupport
import Testing

struct BrokerURLTests {
    @Test(arguments: [
        ("mqtt://127.0.0.1:1883", "127.0.0.1", 1883, false),
        ("mqtt://broker", "broker", 1883, false),
        ("mqtts://broker.example", "broker.example", 8883, true),
        ("mqtts://[::1]:9000", "::1", 9000, true),
    ])
    func parses(text: String, host: String, port: Int, tls: Bool) throws {
        let u = try BrokerURL(text)
        #expect(u.host == host)
        #expect(u.port == Int32(port))
        #expect(u.tls == tls)
    }

    @Test(arguments: ["127.0.0.1:1883", "http://x", "mqtt://", "mqtt://h:0", "mqtt://h:99999", "mqtt://h:x"])
    func rejects(text: String) {
        #expect(throws: KlasterError.self) { try BrokerURL(text) }
    }
}

struct ConnectionOptionsTests {
    @Test func passwordComesFromFileBeforeEnvironment() throws {
        let dir = try TemporaryDirectory(prefix: "pw")
        var m = KlasterConfig.MQTT()
        m.username = "klaster"
        #expect(try MQTTConnectionOptions(config: m, environment: ["KLASTER_MQTT_PASSWORD": "env"]).password == "env")
        m.passwordFile = try dir.write("pw", "from-file\nignored\n")
        let o = try MQTTConnectionOptions(config: m, environment: ["KLASTER_MQTT_PASSWORD": "env"])
        #expect(o.password == "from-file")
        #expect(o.cleanSession == false)
        #expect(o.clientID == "klaster-1")
        m.passwordFile = dir.file("missing")
        #expect(throws: KlasterError.self) { try MQTTConnectionOptions(config: m, environment: [:]) }
    }

    @Test func mqttsImpliesTLS() throws {
        var m = KlasterConfig.MQTT()
        m.url = "mqtts://h"
        #expect(try MQTTConnectionOptions(config: m, environment: [:]).tls != nil)
        m.url = "mqtt://h"
        #expect(try MQTTConnectionOptions(config: m, environment: [:]).tls == nil)
    }
}

struct MosquittoErrorsTests {
    @Test func refusedCredentialsAreFatalNoPermission() {
        guard case .fatal(let e) = MosquittoErrors.classifyConnack(5, url: "mqtt://x") else { Issue.record("not fatal"); return }
        #expect(e.code == .noPermission)
        guard case .fatal(let e5) = MosquittoErrors.classifyConnack(134, url: "mqtt://x") else { Issue.record("not fatal"); return }
        #expect(e5.code == .noPermission)
        guard case .transient = MosquittoErrors.classifyConnack(3, url: "mqtt://x") else { Issue.record("server unavailable should retry"); return }
    }

    @Test func connectionLossIsTransientTLSIsFatal() {
        guard case .transient = MosquittoErrors.classify(7, doing: "read") else { Issue.record("conn lost not transient"); return }
        guard case .fatal(let e) = MosquittoErrors.classify(8, doing: "connect") else { Issue.record("TLS not fatal"); return }
        #expect(e.code == .unavailable)
    }
}
