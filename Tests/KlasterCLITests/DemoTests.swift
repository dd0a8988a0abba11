import Foundation
import KlasterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `make demo` minus the installs and the build: runs `scripts/demo.sh` with a
/// short backfill against the built binary, then checks what it stored and
/// that it left nothing running.
@Suite struct DemoTests {
    @Test func demoScriptRunsThePipelineEndToEnd() throws {
        let out = try TemporaryDirectory(prefix: "demo")
        let script = "\(KlasterBinary.packageRoot)/scripts/demo.sh"
        let result = try runCommand("/bin/bash", [script], environment: [
            "DEMO_SKIP_BUILD": "1",
            "KLASTER_BIN": KlasterBinary.path,
            "DEMO_OUT": out.file("run"),
            "DEMO_BACKFILL": "2d",
            "DEMO_INTERVAL": "15m",
            "DEMO_LIVE": "3s",
            "DEMO_RATE": "100",
            "DEMO_TIMEOUT": "60",
        ], timeout: .seconds(150))
        let log = result.stdout + result.stderr
        #expect(result.status == 0, "demo.sh exited \(result.status):\n\(log)")
        #expect(log.contains("all committed"), "\(log)")

        // What the simulator says it published…
        let lines: [[Substring]] = log.split(separator: "\n").map { $0.split(separator: " ") }
        func number(after key: String) -> Int? {
            for words in lines where words.count == 2 && words[0] == key { return Int(words[1]) }
            return nil
        }
        let published = try #require(number(after: "messages"))
        let malformed = try #require(number(after: "malformed"))
        let duplicates = try #require(number(after: "duplicate"))
        // 2 days every 15 min for 24 series ≈ 4,600 readings, plus 3 s live at 100/s.
        #expect(published > 4_500)
        #expect(malformed + duplicates > 0)

        // …is what ingest committed: every message, bad ones dead-lettered, none late.
        let stats = try KlasterBinary.run(["stats", "--config", out.file("run/klaster.toml"), "--format", "json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect((obj["messages"] as? Int) == published)
        #expect((obj["deadletter"] as? Int) == malformed)
        #expect((obj["duplicates"] as? Int ?? -1) >= duplicates)
        #expect((obj["late"] as? Int) == 0)
        #expect((obj["series"] as? Int) == 24)

        // Every read command ran and printed its rows.
        for expected in ["socar-karbamid/gas-inlet/gas_volume_nm3", "cluster-2030", "karbamid-urea-intensity",
                         "stack-co2-high", "reformer-nox-high", "2814 10 00", "3102 10 12"] {
            #expect(log.contains(expected), "missing \(expected)")
        }

        // Nothing the demo started is still running.
        let pids = log.split(separator: "\n").compactMap { line -> Int32? in
            let w = line.split(separator: " ")
            guard w.count >= 3, w[1] == "pid", w[0] == "mosquitto" || w[0] == "ingest" else { return nil }
            return Int32(w[2])
        }
        #expect(pids.count == 2)
        for pid in pids {
            // Gone, or at most a zombie (state Z) that nobody has reaped yet.
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let state = stat.split(separator: ")").last?.split(separator: " ").first
            #expect(stat.isEmpty || state == "Z", "pid \(pid) still running: \(stat)")
        }
    }

    /// `klaster simulate --dry-run` with a fixed `--now`: the same seed prints the same bytes, another seed others.
    @Test func simulateIsDeterministicFromTheCommandLine() throws {
        let args = ["simulate", "--dry-run", "--now", "2026-06-01T00:00:00Z", "--backfill", "6h", "--faults", "--meters", "20"]
        let a = try KlasterBinary.run(args + ["--seed", "5"])
        let b = try KlasterBinary.run(args + ["--seed", "5"])
        let c = try KlasterBinary.run(args + ["--seed", "6"])
        #expect(a.status == 0, "\(a.stderr)")
        // 6 h every 15 min for 20 meters (34 series) ≈ 816 readings, ±faults.
        #expect(a.stdout.split(separator: "\n").count > 750)
        #expect(a.stdout == b.stdout)
        #expect(a.stdout != c.stdout)
        #expect(a.stderr.contains("messages "))
    }

    /// Auth and TLS as for ingest: a password from the environment, a CA file for mqtts://.
    @Test func simulatePublishesWithPasswordAndTLS() throws {
        let dir = try TemporaryDirectory(prefix: "simtls")
        let certs = try TestCertificates.generate(in: dir.path)
        var options = MosquittoBroker.Options()
        options.users = ["meter": "s3cret"]
        options.tls = .init(caFile: certs.caFile, certFile: certs.serverCert, keyFile: certs.serverKey)
        let broker = try MosquittoBroker(options)
        defer { broker.stop() }
        let base = ["simulate", "--now", "2026-06-01T00:00:00Z", "--backfill", "1h", "--username", "meter"]

        let plain = try KlasterBinary.run(base + ["--broker", broker.url], environment: ["KLASTER_MQTT_PASSWORD": "s3cret"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("  messages 96"), "\(plain.stdout)") // 4 readings of 24 series

        let tls = try KlasterBinary.run(base + ["--broker", broker.tlsURL, "--ca-file", certs.caFile, "--tls-insecure"],
                                        environment: ["KLASTER_MQTT_PASSWORD": "s3cret"])
        #expect(tls.status == 0, "\(tls.stderr)")
        #expect(tls.stdout.contains("  messages 96"), "\(tls.stdout)")

        let refused = try KlasterBinary.run(base + ["--broker", broker.url], environment: ["KLASTER_MQTT_PASSWORD": "wrong"])
        #expect(refused.status == 77) // EX_NOPERM: the broker refused the credentials
        #expect(refused.stderr.hasPrefix("klaster: "), "\(refused.stderr)")
    }
}
