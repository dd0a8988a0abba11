import Foundation
import KlasterTestSupport
import Testing

/// The shared test helpers themselves: a private broker that starts, carries
/// messages, keeps a persistent session across a restart, and does TLS + auth.
@Suite(.serialized) struct TestSupportTests {
    @Test func brokerCarriesMessagesAndKeepsQueuedOnesAcrossRestart() throws {
        let broker = try MosquittoBroker()
        let dir = try TemporaryDirectory(prefix: "support")
        // Register a persistent session, then go offline.
        let sub = try MosquittoClients.spawnSubscriber(port: broker.port, arguments: ["-t", "t/#", "-q", "1", "-c", "-i", "keeper", "-C", "1"], outputDirectory: dir.path)
        try MosquittoClients.publishLines(port: broker.port, topic: "t/a", payloads: ["first"])
        #expect(sub.wait(timeout: .seconds(10)) == 0)
        try MosquittoClients.publishLines(port: broker.port, topic: "t/a", payloads: ["q1", "q2", "q3"])
        try broker.restart()
        let got = try MosquittoClients.subscribe(port: broker.port, topic: "t/#", count: 3, extraArgs: ["-q", "1", "-c", "-i", "keeper"])
        #expect(got == ["t/a q1", "t/a q2", "t/a q3"])
    }

    @Test func tlsListenerWithPasswords() throws {
        let dir = try TemporaryDirectory(prefix: "pki")
        let pki = try TestCertificates.generate(in: dir.path)
        var options = MosquittoBroker.Options()
        options.users = ["meter": "s3cret"]
        options.tls = .init(caFile: pki.caFile, certFile: pki.serverCert, keyFile: pki.serverKey)
        let broker = try MosquittoBroker(options)
        let ok = try runCommand("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(broker.tlsPort)", "--cafile", pki.caFile,
                                                          "-u", "meter", "-P", "s3cret", "-t", "x", "-m", "1"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let bad = try runCommand("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-u", "meter", "-P", "wrong", "-t", "x", "-m", "1"])
        #expect(bad.status == 5) // mosquitto_pub: MOSQ_ERR_CONN_REFUSED, "not authorised"
    }

    @Test func freePortsDiffer() {
        #expect(freeLoopbackPort() != 0)
        #expect(!loopbackPortAccepts(freeLoopbackPort()))
    }
}
