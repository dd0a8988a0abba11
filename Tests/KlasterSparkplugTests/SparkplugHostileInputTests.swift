import KlasterTestSupport
import Testing
@testable import KlasterSparkplug

/// Malformed protobuf of every kind ends in a typed `WireError`, never a crash
/// or a read past the buffer (run under AddressSanitizer to be sure).
@Suite struct SparkplugHostileInputTests {
    private func decode(_ bytes: [UInt8]) -> WireError? {
        do throws(WireError) {
            _ = try SparkplugPayload(decoding: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func truncatedVarintInTimestamp() {
        #expect(decode([0x08, 0x80, 0x80]) == WireError(.truncated, at: 1, "varint runs past the end"))
    }

    @Test func metricLengthPastTheEnd() {
        #expect(decode([0x12, 0x20, 0x10, 0x01]) == WireError(.lengthPastEnd, at: 1, "length 32, 2 bytes left"))
    }

    @Test func nameLengthPastTheMetric() {
        // A metric of 3 bytes whose name claims 10: bounded by the metric, not the payload.
        let bytes: [UInt8] = [0x12, 0x03, 0x0A, 0x0A, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41]
        #expect(decode(bytes) == WireError(.lengthPastEnd, at: 3, "length 10, 1 bytes left"))
    }

    @Test func wrongWireTypeForAKnownField() {
        // Payload.metrics (field 2) sent as a varint.
        #expect(decode([0x10, 0x01]) == WireError(.wrongWireType, at: 1, "Payload field 2: wire type 0, expected 2"))
        // Metric.double_value (13) sent as fixed32.
        #expect(decode([0x12, 0x05, 0x6D, 0, 0, 0, 0]) == WireError(.wrongWireType, at: 3, "Metric field 13: wire type 5, expected 1"))
    }

    @Test func groupWireType() {
        #expect(decode([0x0B, 0x0C])?.kind == .badTag)
    }

    @Test func deepNestingIsRejectedNotRecursedInto() {
        // 10,000 property sets nested in each other: the decoder stops at its depth limit.
        var inner: [UInt8] = []
        for _ in 0..<10_000 {
            var value = ProtobufWriter()
            value.bytesField(9, inner)          // PropertyValue.propertyset_value
            var set = ProtobufWriter()
            set.bytesField(2, value.bytes)      // PropertySet.values
            inner = set.bytes
        }
        var w = ProtobufWriter()
        w.messageField(2) { m in
            m.stringField(1, "deep")
            m.bytesField(9, inner)
        }
        #expect(decode(w.bytes)?.kind == .tooDeep)
    }

    @Test func oneMegabyteStringIsDecodedInPlace() throws {
        let big = [UInt8](repeating: 0x61, count: 1 << 20)
        var w = ProtobufWriter()
        w.messageField(2) { m in
            m.varintField(2, 1)
            m.bytesField(15, big)
        }
        let views = try scanMetrics(w.bytes).get()
        guard case .string(let r)? = views.first?.value else {
            Issue.record("expected a string value")
            return
        }
        #expect(r.count == 1 << 20)
    }

    @Test func invalidUTF8Name() {
        var w = ProtobufWriter()
        w.messageField(2) { m in m.bytesField(1, [0xC3, 0x28]) }
        #expect(decode(w.bytes) == WireError(.invalidUTF8, at: 4, "Metric.name is not valid UTF-8"))
    }

    @Test func everyTruncationOfAValidPayloadIsHandled() {
        let bytes = SparkplugPayloadCodingTests.birth.encoded()
        for n in 0..<bytes.count {
            // Either a typed error or (at a field boundary) a shorter valid payload.
            _ = decode(Array(bytes.prefix(n)))
        }
        #expect(decode(bytes) == nil)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        var errors = 0
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 64)
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if decode(bytes) != nil { errors += 1 }
        }
        #expect(errors > 0)
    }
}

/// Every metric of `bytes` as the zero-copy scanner sees it.
func scanMetrics(_ bytes: [UInt8]) -> Result<[SparkplugMetricView], WireError> {
    bytes.withUnsafeBytes { b in
        var views: [SparkplugMetricView] = []
        do throws(WireError) {
            try SparkplugScanner.forEachMetric(b) { views.append($0) }
            return .success(views)
        } catch {
            return .failure(error)
        }
    }
}

/// The payload-level fields of `bytes`.
func scanHeader(_ bytes: [UInt8]) -> Result<SparkplugHeader, WireError> {
    bytes.withUnsafeBytes { b in
        do throws(WireError) { return .success(try SparkplugScanner.header(b)) } catch { return .failure(error) }
    }
}
