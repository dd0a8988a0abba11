import Foundation
import KlasterCore
import KlasterStore
import KlasterTestSupport
import Testing

extension IngestIntegrationTests {
    /// TLS with a CA and certificates generated here by openssl, password
    /// authentication (password from the environment), then a wrong password:
    /// a one-line error and exit 77 (EX_NOPERM), not a retry loop.
    @Test func tlsWithPasswordThenWrongPassword() throws {
        let pki = try TemporaryDirectory(prefix: "pki")
        let certs = try TestCertificates.generate(in: pki.path)
        var options = MosquittoBroker.Options()
        options.users = ["klaster": "right-pw", "meter": "meter-pw"]
        options.tls = .init(caFile: certs.caFile, certFile: certs.serverCert, keyFile: certs.serverKey)
        let broker = try MosquittoBroker(options)
        let dir = try TemporaryDirectory(prefix: "tls")
        let config = try dir.write("klaster.toml", """
        [mqtt]
        url = "mqtts://127.0.0.1:\(broker.tlsPort)"
        client_id = "klaster-tls"
        topics = ["nextgen/#"]
        username = "klaster"
        ca_file = "\(certs.caFile)"
        [http]
        listen = ""
        """)
        let db = dir.file("k.db")
        let daemon = try KlasterBinary.spawn(["ingest", "--config", config, "--db", db, "--max-messages", "3"],
                                             environment: ["KLASTER_MQTT_PASSWORD": "right-pw"], outputDirectory: dir.path)
        #expect(waitUntil(timeout: .seconds(20)) { daemon.stderr.contains("subscribed") }, "\(daemon.stderr)")
        for i in 0..<3 {
            let r = try runCommand("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(broker.tlsPort)", "--cafile", certs.caFile,
                                                             "-u", "meter", "-P", "meter-pw", "-q", "1",
                                                             "-t", "nextgen/p/m/temperature_c", "-m", #"{"ts":\#(minuteAligned(minutesAgo: 1) + Int64(i)),"v":20}"#])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(daemon.wait(timeout: .seconds(30)) == 0, "\(daemon.stderr)")

        let wrong = try KlasterBinary.run(["ingest", "--config", config, "--db", db], environment: ["KLASTER_MQTT_PASSWORD": "wrong-pw"],
                                          timeout: .seconds(30))
        #expect(wrong.status == 77)
        let lastLine = wrong.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.hasPrefix("klaster: "), "\(wrong.stderr)")
        #expect(lastLine.contains("refused"), "\(lastLine)")

        // A CA that did not sign the broker's certificate: a TLS failure, exit 69.
        let other = try TemporaryDirectory(prefix: "pki2")
        let otherCerts = try TestCertificates.generate(in: other.path)
        let badCA = try dir.write("bad.toml", """
        [mqtt]
        url = "mqtts://127.0.0.1:\(broker.tlsPort)"
        client_id = "klaster-tls"
        username = "klaster"
        ca_file = "\(otherCerts.caFile)"
        [http]
        listen = ""
        """)
        let tlsFail = try KlasterBinary.run(["ingest", "--config", badCA, "--db", db], environment: ["KLASTER_MQTT_PASSWORD": "right-pw"],
                                            timeout: .seconds(30))
        #expect(tlsFail.status == 69, "\(tlsFail.stderr)")
        #expect(tlsFail.stderr.contains("TLS"), "\(tlsFail.stderr)")
    }
}
