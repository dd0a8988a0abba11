/// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF) with an 8-bytes-at-a-time ASCII fast path.
enum UTF8Validation {
    /// - Returns: The offset of the first invalid byte, or `nil` when all is valid.
    static func firstInvalid(_ b: UnsafeRawBufferPointer) -> Int? {
        guard let p = b.baseAddress else { return nil }
        let n = b.count
        var i = 0
        while i < n {
            // ASCII fast path: 8 bytes with no high bit.
            if i + 8 <= n, p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let c = p.load(fromByteOffset: i, as: UInt8.self)
            if c < 0x80 { i += 1; continue }
            @inline(__always) func cont(_ k: Int) -> UInt8? {
                guard i + k < n else { return nil }
                let x = p.load(fromByteOffset: i + k, as: UInt8.self)
                return x & 0xC0 == 0x80 ? x : nil
            }
            switch c {
            case 0xC2...0xDF:
                guard cont(1) != nil else { return i }
                i += 2
            case 0xE0...0xEF:
                guard let c1 = cont(1), cont(2) != nil else { return i }
                if c == 0xE0 && c1 < 0xA0 { return i }   // overlong
                if c == 0xED && c1 > 0x9F { return i }   // surrogate
                i += 3
            case 0xF0...0xF4:
                guard let c1 = cont(1), cont(2) != nil, cont(3) != nil else { return i }
                if c == 0xF0 && c1 < 0x90 { return i }   // overlong
                if c == 0xF4 && c1 > 0x8F { return i }   // > U+10FFFF
                i += 4
            default:
                return i
            }
        }
        return nil
    }
}
