import Testing
import KlasterCore
@testable import KlasterSparkplug

/// The host state machine driven message by message, as an edge node would.
@Suite struct SparkplugHostTests {
    static let t0: EpochMillis = 1_764_547_200_000

    final class Fixture {
        let resolver = SeriesResolver(pattern: try! TopicPattern("nextgen/{plant}/{meter}/{quantity}"), quantities: QuantityTable(), known: [])
        let host: SparkplugHost
        var out = SparkplugHost.Output()
        var seq: UInt64 = 0

        init(options: SparkplugHost.Options = SparkplugHost.Options(naming: SparkplugNaming(metrics: ["Gas/Volume": "gas_volume_nm3"]))) {
            host = SparkplugHost(resolver: resolver, options: options)
        }

        /// Sends one message; returns its rejection.
        @discardableResult
        func send(_ type: SparkplugMessageType, device: String? = nil, edge: String = "reformer", metrics: [SparkplugMetric],
                  seq explicit: UInt64? = nil, bdSeq: UInt64? = nil, at: EpochMillis = SparkplugHostTests.t0) -> ParseRejection? {
            var metrics = metrics
            if let bdSeq { metrics.insert(SparkplugMetric(name: "bdSeq", datatype: .int64, value: .long(bdSeq)), at: 0) }
            var p = SparkplugPayload(timestamp: UInt64(at), metrics: metrics)
            if type != .ndeath {
                if type == .nbirth { seq = 0 }
                p.seq = explicit ?? seq
                if explicit == nil { seq = (seq + 1) % 256 }
            }
            let topic = SparkplugTopic.message(group: "socar-karbamid", type: type, edge: edge, device: device).description
            return host.receive(topic: topic, payload: p.encoded(), receivedAt: at, into: &out)
        }

        func key(_ id: SeriesID) -> String? { resolver.info(for: id)?.key }
        var readingKeys: [String] { out.readings.map { key($0.series) ?? "?" } }
    }

    static let nodeBirth: [SparkplugMetric] = [
        SparkplugMetric(name: "Node Control/Rebirth", datatype: .boolean, value: .boolean(false)),
        SparkplugMetric(name: "Temperature", alias: 1, datatype: .float, value: .float(21.5)),
    ]
    static let deviceBirth: [SparkplugMetric] = [
        SparkplugMetric(name: "Gas/Volume", alias: 10, datatype: .double, value: .double(100)),
        SparkplugMetric(name: "Gas Flow", alias: 11, datatype: .uint32,
                        properties: SparkplugPropertySet(keys: ["engUnit"], values: [.string("Nm³/h")]), value: .int(50)),
        SparkplugMetric(name: "Pressure", alias: 12, datatype: .int16,
                        properties: SparkplugPropertySet(keys: ["engUnit"], values: [.string("bar")]), value: .int(UInt32(bitPattern: -2))),
    ]

    @Test func aliasesResolveAfterBirth() {
        let f = Fixture()
        #expect(f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0) == nil)
        #expect(f.send(.dbirth, device: "gas-inlet", metrics: Self.deviceBirth) == nil)
        #expect(f.readingKeys == ["socar-karbamid/reformer/temperature", "socar-karbamid/gas-inlet/gas_volume_nm3",
                                  "socar-karbamid/gas-inlet/gas_flow", "socar-karbamid/gas-inlet/pressure"])
        #expect(f.out.readings.map(\.value) == [21.5, 100, 50, -2])
        f.out.removeAll()
        #expect(f.send(.ddata, device: "gas-inlet", metrics: [SparkplugMetric(alias: 10, timestamp: UInt64(Self.t0 + 1000), value: .double(101.25))]) == nil)
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(22))]) == nil)
        #expect(f.readingKeys == ["socar-karbamid/gas-inlet/gas_volume_nm3", "socar-karbamid/reformer/temperature"])
        #expect(f.out.readings.map(\.value) == [101.25, 22])
        #expect(f.out.readings.map(\.ts) == [Self.t0 + 1000, Self.t0])
        #expect(f.out.commands.isEmpty)
    }

    @Test func unitsFromTheQuantityTableElseEngUnit() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        f.send(.dbirth, device: "gas-inlet", metrics: Self.deviceBirth)
        let infos = Dictionary(uniqueKeysWithValues: (1...4).compactMap { f.resolver.info(for: SeriesID($0)) }.map { ($0.key, $0) })
        #expect(infos["socar-karbamid/gas-inlet/gas_volume_nm3"]?.unit == "Nm³")
        #expect(infos["socar-karbamid/gas-inlet/gas_volume_nm3"]?.kind == .counter)
        #expect(infos["socar-karbamid/gas-inlet/gas_flow"]?.unit == "Nm³/h")
        #expect(infos["socar-karbamid/gas-inlet/pressure"]?.unit == "bar")
        #expect(infos["socar-karbamid/gas-inlet/pressure"]?.plant == "socar-karbamid")
    }

    @Test func newNodeBirthReplacesAliases() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        f.send(.nbirth, metrics: [SparkplugMetric(name: "Humidity", alias: 1, datatype: .double, value: .double(40))], bdSeq: 1)
        f.out.removeAll()
        f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .double(41))])
        #expect(f.readingKeys == ["socar-karbamid/reformer/humidity"])
        // The devices' aliases went with the old NBIRTH.
        let r = f.send(.ddata, device: "gas-inlet", metrics: [SparkplugMetric(alias: 10, value: .double(1))])
        #expect(r?.reason == .noBirth)
    }

    @Test func unknownAliasIsDeadLetteredAndAsksForRebirth() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        f.out.removeAll()
        let r = f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(1)), SparkplugMetric(alias: 99, value: .double(2))],
                       at: Self.t0 + 10)
        #expect(r?.reason == .unknownAlias)
        #expect(f.out.readings.map(\.value) == [1])
        #expect(f.out.commands == [.rebirth(group: "socar-karbamid", edge: "reformer", now: Self.t0 + 10)])
        // A second one within the rebirth interval sends no second NCMD.
        f.out.removeAll()
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 98, value: .double(2))], at: Self.t0 + 20)?.reason == .unknownAlias)
        #expect(f.out.commands.isEmpty)
        // After the interval it does.
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 98, value: .double(2))], at: Self.t0 + 5010)?.reason == .unknownAlias)
        #expect(f.out.commands.count == 1)
    }

    @Test func dataBeforeBirth() {
        let f = Fixture()
        let r = f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(1))], seq: 7)
        #expect(r?.reason == .noBirth)
        #expect(f.out.commands.map(\.topic) == ["spBv1.0/socar-karbamid/NCMD/reformer"])
        #expect(f.out.readings.isEmpty)
    }

    @Test func reorderedMessagesLandInOrder() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        f.out.removeAll()
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(2))], seq: 2, at: Self.t0 + 1) == nil)
        #expect(f.out.readings.isEmpty)
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(1))], seq: 1, at: Self.t0 + 2) == nil)
        #expect(f.out.readings.map(\.value) == [1, 2])
        #expect(f.out.commands.isEmpty)
    }

    @Test func seqGapTimesOutIntoRebirth() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        f.out.removeAll()
        f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(3))], seq: 3, at: Self.t0 + 100)
        f.host.tick(now: Self.t0 + 2099, into: &f.out)
        #expect(f.out.isEmpty)
        f.host.tick(now: Self.t0 + 2100, into: &f.out)
        #expect(f.out.readings.map(\.value) == [3])
        #expect(f.out.commands == [.rebirth(group: "socar-karbamid", edge: "reformer", now: Self.t0 + 2100)])
        // The sequence continues after the gap.
        f.out.removeAll()
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(4))], seq: 4, at: Self.t0 + 2200) == nil)
        #expect(f.out.readings.map(\.value) == [4])
    }

    @Test func heldMessageProblemsBecomeDeadLetters() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        f.send(.ndata, metrics: [SparkplugMetric(alias: 77, value: .float(3))], seq: 2, at: Self.t0 + 100)
        f.out.removeAll()
        f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(1))], seq: 1, at: Self.t0 + 200)
        #expect(f.out.deadLetters.map(\.reason) == [.unknownAlias])
        #expect(f.out.deadLetters.first?.topic == "spBv1.0/socar-karbamid/NDATA/reformer")
        #expect(f.out.deadLetters.first?.receivedAt == Self.t0 + 100)
    }

    @Test func nodeDeathMarksStaleOnlyWithItsBdSeq() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 5)
        f.send(.dbirth, device: "gas-inlet", metrics: Self.deviceBirth)
        #expect(f.out.staleChanges.allSatisfy { !$0.stale } && f.out.staleChanges.count == 4)
        f.out.removeAll()
        // The will of an older session is ignored.
        #expect(f.send(.ndeath, metrics: [], bdSeq: 4) == nil)
        #expect(f.out.staleChanges.isEmpty)
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(1))]) == nil)
        f.out.removeAll()
        #expect(f.send(.ndeath, metrics: [], bdSeq: 5, at: Self.t0 + 50) == nil)
        #expect(Set(f.out.staleChanges.map { f.key($0.series)! }) == [
            "socar-karbamid/reformer/temperature", "socar-karbamid/gas-inlet/gas_volume_nm3",
            "socar-karbamid/gas-inlet/gas_flow", "socar-karbamid/gas-inlet/pressure",
        ])
        #expect(f.out.staleChanges.allSatisfy { $0.stale && $0.at == Self.t0 + 50 })
        // Dead now: data is not guessed.
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(1))])?.reason == .noBirth)
    }

    @Test func deviceDeathMarksTheDeviceStale() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        f.send(.dbirth, device: "gas-inlet", metrics: Self.deviceBirth)
        f.out.removeAll()
        #expect(f.send(.ddeath, device: "gas-inlet", metrics: []) == nil)
        #expect(f.out.staleChanges.count == 3 && f.out.staleChanges.allSatisfy(\.stale))
        #expect(f.send(.ddata, device: "gas-inlet", metrics: [SparkplugMetric(alias: 10, value: .double(1))])?.reason == .noBirth)
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(1))]) == nil)
    }

    @Test func flags() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        f.out.removeAll()
        let r = f.send(.ndata, metrics: [
            SparkplugMetric(alias: 1, isTransient: true, value: .float(9)),
            SparkplugMetric(alias: 1, isNull: true),
            SparkplugMetric(alias: 1, timestamp: UInt64(Self.t0 - 3_600_000), isHistorical: true, value: .float(5)),
        ])
        #expect(r == nil)
        #expect(f.out.readings == [Reading(series: f.out.readings.first?.series ?? 0, ts: Self.t0 - 3_600_000, value: 5)])
    }

    @Test func unsupportedTypesAreDeadLettered() {
        let f = Fixture()
        let r = f.send(.nbirth, metrics: Self.nodeBirth + [
            SparkplugMetric(name: "Label", alias: 2, datatype: .string, value: .string("x")),
        ], bdSeq: 0)
        #expect(r == ParseRejection(.unsupportedType, "NBIRTH metric 'Label': String metrics are not stored"))
        #expect(f.out.readings.map(\.value) == [21.5])
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 2, value: .string("y"))])?.reason == .unsupportedType)
    }

    @Test(arguments: [
        (SparkplugDataType.int8, SparkplugValue.int(0xFF), -1.0), (.int16, .int(0xFFFF), -1), (.int32, .int(0xFFFF_FFFF), -1),
        (.int64, .long(UInt64.max), -1), (.uint8, .int(200), 200), (.uint16, .int(65_535), 65_535),
        (.uint32, .int(0xFFFF_FFFF), 4_294_967_295), (.uint64, .long(1 << 60), 1_152_921_504_606_846_976),
        (.float, .float(1.25), 1.25), (.double, .double(-0.5), -0.5), (.boolean, .boolean(true), 1), (.boolean, .boolean(false), 0),
    ] as [(SparkplugDataType, SparkplugValue, Double)])
    func storedTypes(type: SparkplugDataType, value: SparkplugValue, expected: Double) {
        let f = Fixture()
        f.send(.nbirth, metrics: [SparkplugMetric(name: "M", alias: 1, datatype: type, value: value)], bdSeq: 0)
        #expect(f.out.readings.map(\.value) == [expected])
    }

    @Test func wrongValueFieldAndNonFinite() {
        let f = Fixture()
        f.send(.nbirth, metrics: Self.nodeBirth, bdSeq: 0)
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .boolean(true))])
            == ParseRejection(.wrongType, "NDATA metric 'Temperature': Float metric carries boolean_value"))
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, value: .float(.infinity))])?.reason == .nonFinite)
        #expect(f.send(.ndata, metrics: [SparkplugMetric(alias: 1, timestamp: UInt64(Self.t0 + 600_000), value: .float(1))])?.reason == .futureTs)
    }

    @Test func malformedPayloadAndTopic() {
        let f = Fixture()
        let r = f.host.receive(topic: "spBv1.0/g/NDATA/e", payload: [0x12, 0x40], receivedAt: Self.t0, into: &f.out)
        #expect(r?.reason == .malformedProtobuf)
        #expect(f.host.receive(topic: "spBv1.0/g/NFOO/e", payload: [], receivedAt: Self.t0, into: &f.out)?.reason == .badTopic)
        // STATE and commands are protocol traffic, not data.
        #expect(f.host.receive(topic: "spBv1.0/STATE/other", payload: Array(#"{"online":true,"timestamp":1}"#.utf8),
                               receivedAt: Self.t0, into: &f.out) == nil)
        #expect(f.host.receive(topic: "spBv1.0/g/NCMD/e", payload: [], receivedAt: Self.t0, into: &f.out) == nil)
        #expect(f.out.isEmpty)
    }

    @Test func metricsByNameWithoutAliases() {
        let f = Fixture()
        f.send(.nbirth, metrics: [SparkplugMetric(name: "Gas/Volume", datatype: .double, value: .double(1))], bdSeq: 0)
        f.out.removeAll()
        #expect(f.send(.ndata, metrics: [SparkplugMetric(name: "Gas/Volume", value: .double(2))]) == nil)
        #expect(f.readingKeys == ["socar-karbamid/reformer/gas_volume_nm3"])
    }
}
