/// Rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN (FORMAT
/// binary)`): the signature and header, then per row a field count and each
/// field as a big-endian length and value (length -1 = NULL), then the
/// trailer. Integers and doubles go as their 8-, 4- or 2-byte big-endian
/// images, so neither side formats or parses text (the store's readings
/// write; README, Performance, has the measurement).
///
/// The column types are the caller's promise: `COPY … (FORMAT binary)`
/// checks only the lengths, so `append(int32:)` must feed an `integer`
/// column, `append(_: Double)` a `double precision` one, and so on.
struct PGCopyBinary {
    private(set) var bytes: [UInt8]
    private(set) var rows = 0

    init(reservingRows n: Int = 0, bytesPerRow: Int = 64) {
        bytes = []
        bytes.reserveCapacity(19 + n * bytesPerRow + 2)
        // "PGCOPY\n\xFF\r\n\0", flags (no OIDs), header extension length 0.
        bytes.append(contentsOf: [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00])
        put(UInt32(0))
        put(UInt32(0))
    }

    /// Starts a row of `fields` fields (every row of one COPY has the same number).
    mutating func beginRow(fields: Int) {
        put(UInt16(truncatingIfNeeded: fields))
        rows += 1
    }

    mutating func append(int64 v: Int64) { put(UInt32(8)); put(UInt64(bitPattern: v)) }
    mutating func append(int64 v: Int64?) { if let v { append(int64: v) } else { appendNull() } }
    mutating func append(int32 v: Int32) { put(UInt32(4)); put(UInt32(bitPattern: v)) }
    mutating func append(int16 v: Int16) { put(UInt32(2)); put(UInt16(bitPattern: v)) }
    mutating func append(bool v: Bool) { put(UInt32(1)); bytes.append(v ? 1 : 0) }
    /// IEEE 754 bits as they are: ±Infinity and every finite value round-trip
    /// exactly. NaN becomes NULL, as in `PGArray` and as SQLite binds it, so a
    /// NaN in a NOT NULL column fails the batch on both stores.
    mutating func append(_ v: Double) {
        if v.isNaN { appendNull() } else { put(UInt32(8)); put(v.bitPattern) }
    }
    mutating func append(_ v: Double?) { if let v { append(v) } else { appendNull() } }
    mutating func appendNull() { put(UInt32(bitPattern: -1)) }

    /// The finished data (with the trailer); the builder is spent.
    mutating func finish() -> [UInt8] {
        put(UInt16(0xFFFF))
        return bytes
    }

    @inline(__always)
    private mutating func put<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
