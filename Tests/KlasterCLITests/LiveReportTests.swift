import Foundation
import KlasterTestSupport
import Testing

/// `klaster ingest` serves the report at `/` and `/api/v1/…` on its HTTP
/// port: the API's bodies are the CLI's JSON lines for the same parameters,
/// bad parameters get 400 with one line, and the page carries the data's values.
@Suite(.serialized) struct LiveReportTests {
    struct Live {
        let scenario: EmissionsScenario
        let broker: MosquittoBroker
        let daemon: ChildProcess
        let port: UInt16
        let config: String

        init() throws {
            scenario = try EmissionsScenario(toml: CbamFixture.toml, csv: CbamFixture.csv)
            broker = try MosquittoBroker()
            port = freeLoopbackPort()
            config = try scenario.dir.write("live.toml", CbamFixture.toml + """

                [mqtt]
                url = "\(broker.url)"
                client_id = "klaster-live-test"

                """)
            daemon = try KlasterBinary.spawn(["ingest", "--config", config, "--db", scenario.db, "--http", "127.0.0.1:\(port)"],
                                             outputDirectory: scenario.dir.path)
        }

        /// `curl` the daemon: (status, body).
        func get(_ path: String) throws -> (status: Int, body: String) {
            let r = try runCommand("/usr/bin/curl", ["-s", "-g", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"], timeout: .seconds(30))
            var body = r.stdout
            let code = body.split(separator: "\n", omittingEmptySubsequences: false).last.flatMap { Int($0) } ?? 0
            body.removeLast(String(code).count + 1)  // "\n<code>" that -w appended
            return (code, body)
        }

        /// `klaster args… --format json` against the same config and database.
        func cli(_ args: [String]) throws -> String {
            let r = try KlasterBinary.run(args + ["--format", "json", "--config", config, "--db", scenario.db])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }

        func stop() { _ = daemon.terminate() }
    }

    static func up() throws -> Live {
        let live = try Live()
        let ready = waitUntil(timeout: .seconds(30)) { ((try? live.get("/healthz"))?.status ?? 0) == 200 }
        #expect(ready, "daemon log: \(live.daemon.stderr)")
        return live
    }

    @Test func apiBodiesAreTheCLIsJSONLines() throws {
        let live = try Self.up()
        defer { live.stop() }
        let now = "2026-05-01T00:00:00Z"
        let cases: [(String, [String])] = [
            ("/api/v1/cbam?year=2026&quarter=1&now=\(now)", ["cbam", "--year", "2026", "--quarter", "1", "--now", now]),
            ("/api/v1/query?glob=socar-karbamid/urea-line/production_t&from=2026-01-01T00:00:00Z&to=2026-01-02T20:00:00Z&every=1d&tz=Asia/Baku",
             ["query", "socar-karbamid/urea-line/production_t", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-02T20:00:00Z",
              "--every", "1d", "--tz", "Asia/Baku"]),
            ("/api/v1/emissions?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z&every=1mo&by=scope&now=\(now)",
             ["emissions", "--from", "2026-01-01T00:00:00Z", "--to", "2026-04-01T00:00:00Z", "--every", "1mo", "--by", "scope", "--now", now]),
            ("/api/v1/targets?year=2026&now=\(now)", ["targets", "--year", "2026", "--now", now]),
            ("/api/v1/series?glob=socar-karbamid/**", ["series", "socar-karbamid/**"]),
        ]
        for (path, args) in cases {
            let r = try live.get(path)
            #expect(r.status == 200, "\(path): \(r.body)")
            let expected = try live.cli(args)
            #expect(r.body == expected, "\(path)")
            #expect(!expected.isEmpty || args[0] == "targets", "\(path) printed nothing")
        }
        // The query body carries the hand-computed Baku days: 24 readings and +48 t each.
        let q = try emissionRows(try live.get(cases[1].0).body)
        #expect(q.map { jsonNumber($0["delta"]) } == [48, 48])
    }

    @Test func badParametersGet400WithOneLine() throws {
        let live = try Self.up()
        defer { live.stop() }
        let bad: [(String, String)] = [
            ("/api/v1/query?glob=a/b/c&every=banana", "klaster: bad duration 'banana' (use e.g. 500ms, 30s, 5m, 1h, 1d or 1h30m)"),
            ("/api/v1/query?glob=a/b/c&every=1h&tz=Asia/Baku",
             "klaster: --tz applies to calendar periods, not --every 1h (use --every 1d, 1mo, 1q or 1y with --tz)"),
            ("/api/v1/cbam?quarter=5", "klaster: --quarter must be 1, 2, 3 or 4"),
            ("/api/v1/emissions?from=-1d&to=now&by=galaxy", "klaster: bad --by 'galaxy' (use plant, cluster or scope)"),
            ("/api/v1/series?db=/etc/passwd", "klaster: parameter 'db' is not accepted"),
            ("/api/v1/targets?colour=blue", "klaster: Unknown option '--colour'"),
        ]
        for (path, line) in bad {
            let r = try live.get(path)
            #expect(r.status == 400, "\(path): \(r.body)")
            #expect(r.body == line + "\n", "\(path)")
        }
        #expect(try live.get("/api/v1/nope").status == 404)
    }

    @Test func pageCarriesTheDataValues() throws {
        let live = try Self.up()
        defer { live.stop() }
        let page = try live.get("/")
        #expect(page.status == 200)
        #expect(page.body.hasPrefix("<!DOCTYPE html>"))
        #expect(page.body.contains("CBAM embedded emissions 2026"))
        // The page's CBAM figures are the API's for the same year (both at the wall clock).
        let api = try emissionRows(try live.get("/api/v1/cbam?year=2026").body)
        for row in api {
            let good = try #require(row["good"] as? String)
            let total = try #require(jsonNumber(row["see_total"]))
            let cell = "data-good=\"\(good)\" data-field=\"see_total\" data-value=\"\(format3(total))\""
            #expect(page.body.contains(cell), "missing \(cell)")
        }
    }

    /// A real browser: headless Chromium loads `/` from the daemon; the DOM it
    /// built carries the CBAM figures of the API and the energy chart's bars;
    /// a screenshot is taken (left in the scenario directory to look at).
    @Test func pageLoadsInHeadlessChromium() throws {
        let live = try Self.up()
        defer { live.stop() }
        let url = "http://127.0.0.1:\(live.port)/"
        let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                       "--user-data-dir=\(live.scenario.dir.file("chromium"))"]
        let dom = try runCommand("/usr/bin/chromium", browser + ["--dump-dom", url], timeout: .seconds(120))
        #expect(dom.status == 0, "\(dom.stderr)")
        #expect(dom.stdout.contains("<h2>CBAM embedded emissions 2026</h2>"))
        let api = try emissionRows(try live.get("/api/v1/cbam?year=2026").body)
        #expect(api.count == 2)
        for row in api {
            let good = try #require(row["good"] as? String)
            for field in ["activity_t", "see_direct", "see_total"] {
                let v = try #require(jsonNumber(row[field]))
                let digits = field == "activity_t" ? 0 : 3
                let cell = "data-good=\"\(good)\" data-field=\"\(field)\" data-value=\"\(format(v, digits))\""
                #expect(dom.stdout.contains(cell), "the browser's DOM lacks \(cell)")
            }
        }
        #expect(dom.stdout.contains("data-chart=\"energy\""))
        let png = live.scenario.dir.file("live.png")
        let shot = try runCommand("/usr/bin/chromium", browser + ["--screenshot=\(png)", "--window-size=1280,2400", url], timeout: .seconds(120))
        #expect(shot.status == 0, "\(shot.stderr)")
        let header = try #require(FileManager.default.contents(atPath: png)?.prefix(8))
        #expect(Array(header) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func format(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        return r == r.rounded() ? String(Int64(r)) : String(r)
    }

    /// Rounded to 3 decimals in the shortest form, as the page writes it.
    func format3(_ v: Double) -> String {
        let r = (v * 1000).rounded() / 1000
        return r == r.rounded() ? String(Int64(r)) : String(r)
    }
}
