import Testing
@testable import KlasterSparkplug

@Suite struct SparkplugPayloadCodingTests {
    static let birth = SparkplugPayload(timestamp: 1_764_547_200_000, metrics: [
        SparkplugMetric(name: "bdSeq", timestamp: 1_764_547_200_000, datatype: .int64, value: .long(3)),
        SparkplugMetric(name: "Node Control/Rebirth", datatype: .boolean, value: .boolean(false)),
        SparkplugMetric(name: "Gas/Volume", alias: 1, timestamp: 1_764_547_200_000, datatype: .double,
                        properties: SparkplugPropertySet(keys: ["engUnit"], values: [.string("Nm3")]), value: .double(49_657.5)),
        SparkplugMetric(name: "Temp", alias: 2, datatype: .int16, value: .int(UInt32(bitPattern: -40))),
        SparkplugMetric(name: "Label", alias: 3, datatype: .string, isTransient: true, value: .string("Reformer ü")),
        SparkplugMetric(name: "Blob", alias: 4, datatype: .bytes, isNull: true,
                        metadata: SparkplugMetaData(contentType: "application/octet-stream", size: 0)),
        SparkplugMetric(name: "Rate", alias: 5, datatype: .float, isHistorical: true, value: .float(2.5)),
    ], seq: 0, uuid: "u-1", body: [1, 2, 3])

    @Test func roundTrip() throws {
        let bytes = Self.birth.encoded()
        let decoded = try SparkplugPayload(decoding: bytes)
        #expect(decoded == Self.birth)
    }

    @Test func knownEncoding() throws {
        // timestamp=1, one metric {alias 7, Double 1.0}, seq=2 — bytes written out by hand.
        let p = SparkplugPayload(timestamp: 1, metrics: [SparkplugMetric(alias: 7, value: .double(1))], seq: 2)
        #expect(p.encoded() == [0x08, 0x01, 0x12, 0x0B, 0x10, 0x07, 0x69, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x18, 0x02])
    }

    @Test func scannerSeesTheSameAsTheModel() throws {
        let bytes = Self.birth.encoded()
        let views = try scanMetrics(bytes).get()
        let header = try scanHeader(bytes).get()
        #expect(header.timestamp == 1_764_547_200_000)
        #expect(header.seq == 0)
        #expect(header.metricCount == 7)
        #expect(views.map(\.alias) == [nil, nil, 1, 2, 3, 4, 5])
        #expect(views.map(\.index) == Array(0..<7))
        #expect(views[2].value == .double(49_657.5))
        #expect(views[3].value == .int(UInt32(bitPattern: -40)))
        #expect(views[4].isTransient && views[5].isNull && views[6].isHistorical)
    }

    @Test func engUnitFromProperties() throws {
        let decoded = try SparkplugPayload(decoding: Self.birth.encoded())
        #expect(decoded.metrics[2].properties?.engUnit == "Nm3")
        #expect(decoded.metrics[3].properties?.engUnit == nil)
    }

    @Test func unknownFieldsAreSkipped() throws {
        // Field 6 of Payload (an extension) and field 30 of a Metric, of every wire type.
        var w = ProtobufWriter()
        w.varintField(1, 5)
        w.messageField(2) { m in
            m.varintField(2, 9)
            m.varintField(30, 1)
            m.fixed32Field(31, 7)
            m.fixed64Field(32, 7)
            m.bytesField(33, [1, 2, 3])
            m.fixed64Field(13, Double(4.5).bitPattern)
        }
        w.stringField(6, "extension")
        let p = try SparkplugPayload(decoding: w.bytes)
        #expect(p == SparkplugPayload(timestamp: 5, metrics: [SparkplugMetric(alias: 9, value: .double(4.5))]))
    }

    @Test func emptyPayloadIsValidAndEmpty() throws {
        #expect(try SparkplugPayload(decoding: []) == SparkplugPayload())
    }

    @Test func nestedPropertySetsWithinTheLimit() throws {
        var set = SparkplugPropertySet(keys: ["engUnit"], values: [.string("kWh")])
        for _ in 0..<3 {
            set = SparkplugPropertySet(keys: ["inner", "list"], values: [
                SparkplugPropertyValue(type: .propertySet, value: .propertySet(set)),
                SparkplugPropertyValue(type: .propertySetList, value: .propertySetList([set])),
            ])
        }
        let p = SparkplugPayload(metrics: [SparkplugMetric(name: "x", datatype: .double, properties: set, value: .double(1))])
        #expect(try SparkplugPayload(decoding: p.encoded()) == p)
    }

    @Test func numericHelperEncodesEachType() {
        #expect(SparkplugMetric.numeric(alias: 1, type: .int8, value: -3)?.value == .int(UInt32(bitPattern: -3)))
        #expect(SparkplugMetric.numeric(alias: 1, type: .uint16, value: 70_000)?.value == .int(65_535))
        #expect(SparkplugMetric.numeric(alias: 1, type: .int64, value: -5)?.value == .long(UInt64(bitPattern: -5)))
        #expect(SparkplugMetric.numeric(alias: 1, type: .uint64, value: 12)?.value == .long(12))
        #expect(SparkplugMetric.numeric(alias: 1, type: .boolean, value: 1)?.value == .boolean(true))
        #expect(SparkplugMetric.numeric(alias: 1, type: .float, value: 1.5)?.value == .float(1.5))
        #expect(SparkplugMetric.numeric(alias: 1, type: .string, value: 1) == nil)
        #expect(SparkplugMetric.numeric(alias: 1, type: .int32, value: .nan) == nil)
    }
}
