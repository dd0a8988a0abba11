import Testing
import KlasterCore
import KlasterSimulator
import KlasterSparkplug

/// The simulated Sparkplug fleet, fed straight into the host state machine:
/// what the edge nodes publish resolves to the JSON fleet's series keys.
@Suite struct SparkplugEdgeFleetTests {
    static let series = [
        SimulatedSeries(plant: "socar-karbamid", meter: "gas-inlet", quantity: "gas_volume_nm3", isCounter: true),
        SimulatedSeries(plant: "socar-karbamid", meter: "gas-inlet", quantity: "gas_flow_nm3h", isCounter: false),
        SimulatedSeries(plant: "socar-karbamid", meter: "reformer-stack", quantity: "co2_rate_kgh", isCounter: false),
        SimulatedSeries(plant: "socar-polymer", meter: "pp-feeder-01", quantity: "active_energy_kwh", isCounter: true),
    ]
    static let t0: EpochMillis = 1_764_547_200_000

    final class Host {
        let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
        let host: SparkplugHost
        var out = SparkplugHost.Output()
        init() { host = SparkplugHost(resolver: resolver, options: SparkplugHost.Options()) }
        func feed(_ ms: [SimMessage]) -> [ParseRejection] {
            ms.compactMap { host.receive(topic: $0.topic, payload: $0.payload, receivedAt: SparkplugEdgeFleetTests.t0 + 10_000, into: &out) }
        }
        var readings: [(String, EpochMillis, Double)] { out.readings.map { (resolver.info(for: $0.series)!.key, $0.ts, $0.value) } }
    }

    @Test func nodesPerPlantAreaDevicesPerMeter() {
        let f = SparkplugEdgeFleet(series: Self.series, waitForHost: false)
        #expect(f.nodes.map { "\($0.group)/\($0.edge)" } == ["socar-karbamid/gas-edge", "socar-karbamid/reformer-edge", "socar-polymer/pp-edge"])
        #expect(f.nodes[0].devices.map(\.id) == ["gas-inlet"])
        #expect(f.nodes[0].devices[0].metrics.map(\.alias) == [1, 2])
        #expect(f.nodes[0].devices[0].metrics.map(\.unit) == ["Nm³", "Nm³/h"])
    }

    @Test func birthsThenDataResolveToTheFleetsSeriesKeys() {
        var f = SparkplugEdgeFleet(series: Self.series, waitForHost: false)
        let h = Host()
        var ms: [SimMessage] = []
        for i in f.nodes.indices { ms += f.births(node: i, now: Self.t0) }
        ms += f.data([("socar-karbamid/gas-inlet/gas_volume_nm3", Self.t0, 10), ("socar-karbamid/gas-inlet/gas_flow_nm3h", Self.t0, 2)], now: Self.t0)
        ms += f.data([("socar-polymer/pp-feeder-01/active_energy_kwh", Self.t0 + 1000, 7)], now: Self.t0)
        #expect(h.feed(ms).isEmpty)
        #expect(h.readings.map(\.0) == ["socar-karbamid/gas-inlet/gas_volume_nm3", "socar-karbamid/gas-inlet/gas_flow_nm3h",
                                        "socar-polymer/pp-feeder-01/active_energy_kwh"])
        #expect(h.readings.map(\.2) == [10, 2, 7])
        #expect(h.out.commands.isEmpty)
    }

    @Test func storeAndForwardWhileTheHostIsOffline() throws {
        var f = SparkplugEdgeFleet(series: Self.series, waitForHost: true)
        let h = Host()
        #expect(f.data([("socar-karbamid/reformer-stack/co2_rate_kgh", Self.t0, 2000)], now: Self.t0).isEmpty)
        #expect(f.data([("socar-karbamid/reformer-stack/co2_rate_kgh", Self.t0 + 1000, 2100)], now: Self.t0).isEmpty)
        #expect(f.keptReadings == 2)
        let ms = f.hostState(online: true, now: Self.t0 + 5000, last: ["socar-karbamid/reformer-stack/co2_rate_kgh": (Self.t0 + 1000, 2100)])
        #expect(f.keptReadings == 0)
        #expect(h.feed(ms).isEmpty)
        // The DBIRTH carries the last reading at its own time; the replay the two kept readings, flagged historical.
        #expect(h.readings.filter { $0.0 == "socar-karbamid/reformer-stack/co2_rate_kgh" }.map(\.1) == [Self.t0 + 1000, Self.t0, Self.t0 + 1000])
        let replay = try #require(ms.first { $0.topic == "spBv1.0/socar-karbamid/DDATA/reformer-edge/reformer-stack" })
        let p = try SparkplugPayload(decoding: replay.payload)
        #expect(p.metrics.allSatisfy(\.isHistorical) && p.metrics.count == 2)
        // Offline again: kept, not published.
        #expect(f.hostState(online: false, now: Self.t0 + 6000).isEmpty)
        #expect(f.data([("socar-karbamid/reformer-stack/co2_rate_kgh", Self.t0 + 7000, 1)], now: Self.t0).isEmpty)
    }

    @Test func rebirthCommandIsAnswered() {
        var f = SparkplugEdgeFleet(series: Self.series, waitForHost: false)
        for i in f.nodes.indices { _ = f.births(node: i, now: Self.t0) }
        let ncmd = SparkplugCommand.rebirth(group: "socar-polymer", edge: "pp-edge", now: Self.t0)
        let answer = f.command(topic: ncmd.topic, payload: ncmd.payload, now: Self.t0)
        #expect(answer.map(\.topic) == ["spBv1.0/socar-polymer/NBIRTH/pp-edge", "spBv1.0/socar-polymer/DBIRTH/pp-edge/pp-feeder-01"])
        #expect(f.command(topic: "spBv1.0/socar-polymer/NCMD/other-edge", payload: ncmd.payload, now: Self.t0).isEmpty)
    }

    @Test func willCarriesBdSeq() throws {
        let f = SparkplugEdgeFleet(series: Self.series, waitForHost: false)
        let w = f.will(node: 1)
        #expect(w.topic == "spBv1.0/socar-karbamid/NDEATH/reformer-edge")
        #expect(try SparkplugPayload(decoding: w.payload).metrics.first?.value == .long(0))
    }
}
