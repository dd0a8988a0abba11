import Testing
@testable import KlasterSparkplug

@Suite struct ProtobufReaderTests {
    private func read<T>(_ bytes: [UInt8], _ body: (inout ProtobufReader) throws(WireError) -> T) -> Result<T, WireError> {
        bytes.withUnsafeBytes { b in
            var r = ProtobufReader(b)
            do throws(WireError) { return .success(try body(&r)) } catch { return .failure(error) }
        }
    }

    @Test(arguments: [
        ([0x00], UInt64(0)), ([0x01], 1), ([0x7F], 127), ([0x80, 0x01], 128), ([0xAC, 0x02], 300),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], 0xFFFF_FFFF),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], UInt64.max),
    ] as [([UInt8], UInt64)])
    func varints(bytes: [UInt8], value: UInt64) {
        #expect(read(bytes) { r throws(WireError) in try r.varint() } == .success(value))
    }

    @Test func writerVarintsRoundTrip() {
        for v: UInt64 in [0, 1, 127, 128, 16_383, 16_384, 1 << 35, UInt64.max - 1, UInt64.max] {
            var w = ProtobufWriter()
            w.varint(v)
            #expect(read(w.bytes) { r throws(WireError) in try r.varint() } == .success(v))
        }
    }

    @Test func truncatedVarint() {
        #expect(read([0x80, 0x80]) { r throws(WireError) in try r.varint() }
            == .failure(WireError(.truncated, at: 0, "varint runs past the end")))
    }

    @Test func varintOver64Bits() {
        let tooLong: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]
        #expect(read(tooLong) { r throws(WireError) in try r.varint() }
            == .failure(WireError(.varintTooLong, at: 0, "varint above 64 bits")))
        let elevenBytes: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]
        #expect(read(elevenBytes) { r throws(WireError) in try r.varint() }
            == .failure(WireError(.varintTooLong, at: 0, "varint above 64 bits")))
    }

    @Test func lengthPastEnd() {
        #expect(read([0x05, 0x41, 0x42]) { r throws(WireError) in try r.lengthDelimited() }
            == .failure(WireError(.lengthPastEnd, at: 0, "length 5, 2 bytes left")))
    }

    @Test func hugeLengthDoesNotOverflow() {
        // A length of 2^63 must be compared, not added to the position.
        let bytes: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        #expect(read(bytes) { r throws(WireError) in try r.lengthDelimited() }
            == .failure(WireError(.lengthPastEnd, at: 0, "length 9223372036854775808, 0 bytes left")))
    }

    @Test func fixedValuesNeedTheirBytes() {
        #expect(read([1, 2, 3]) { r throws(WireError) in try r.fixed32() }
            == .failure(WireError(.truncated, at: 0, "fixed32 needs 4 bytes, 3 left")))
        #expect(read([1, 2, 3, 4, 5, 6, 7]) { r throws(WireError) in try r.fixed64() }
            == .failure(WireError(.truncated, at: 0, "fixed64 needs 8 bytes, 7 left")))
        #expect(read([0x00, 0x00, 0x80, 0x3F]) { r throws(WireError) in try r.fixed32() } == .success(Float(1).bitPattern))
    }

    @Test(arguments: [UInt8(3), 4, 6, 7])
    func groupAndReservedWireTypesAreRejected(wire: UInt8) {
        let tag = (1 << 3) | wire
        let result = read([tag, 0]) { r throws(WireError) in try r.nextTag() }
        #expect(result.map { _ in 0 } == .failure(WireError(.badTag, at: 0,
            "field 1: wire type \(wire) (groups and types 6, 7 are not accepted)")))
    }

    @Test func fieldNumberZeroIsRejected() {
        let result = read([0x00]) { r throws(WireError) in try r.nextTag() }
        #expect(result.map { _ in 0 } == .failure(WireError(.badTag, at: 0, "field number 0")))
    }

    @Test func emptyBufferHasNoTags() {
        let result = read([]) { r throws(WireError) in try r.nextTag() }
        #expect(result.map { $0 == nil } == .success(true))
    }
}
