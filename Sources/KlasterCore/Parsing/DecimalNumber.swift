/// A scanned decimal number: its significant digits and exponent, enough to
/// convert exactly on a fast path (Clinger: ≤ 2^53 mantissa, |exp| ≤ 22 — one
/// correctly rounded IEEE multiply or divide) and to fall back to the standard
/// library's correctly rounded conversion otherwise.
struct DecimalNumber {
    var start = 0
    var end = 0
    var negative = false
    /// The first ≤ 19 significant digits.
    var mantissa: UInt64 = 0
    /// All significant digits seen (more than 19 means `mantissa` is truncated).
    var significantDigits = 0
    /// Value = mantissa × 10^exponent (when not truncated).
    var exponent = 0
    /// No `.` and no exponent part.
    var isInteger = true

    /// 10^k for 0 ≤ k ≤ 22, all exactly representable.
    @inline(__always)
    static func exactPower(_ k: Int) -> Double {
        switch k {
        case 0: 1e0; case 1: 1e1; case 2: 1e2; case 3: 1e3; case 4: 1e4; case 5: 1e5; case 6: 1e6
        case 7: 1e7; case 8: 1e8; case 9: 1e9; case 10: 1e10; case 11: 1e11; case 12: 1e12; case 13: 1e13
        case 14: 1e14; case 15: 1e15; case 16: 1e16; case 17: 1e17; case 18: 1e18; case 19: 1e19
        case 20: 1e20; case 21: 1e21; default: 1e22
        }
    }

    /// Scans a number at `i` in `p[..<end]`.
    /// - Parameter json: JSON grammar (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`) when true;
    ///   otherwise the lenient grammar of line protocol floats (`[+-]?d*(.d*)?([eE][+-]?d+)?`
    ///   with at least one digit).
    /// - Returns: The number, or `nil` when the bytes at `i` are not one (its `end`
    ///   is where scanning stopped; the caller checks what follows).
    @inline(__always)
    static func scan(_ p: UnsafeRawPointer, _ i: Int, _ end: Int, json: Bool) -> DecimalNumber? {
        var n = DecimalNumber()
        n.start = i
        var j = i
        @inline(__always) func at(_ k: Int) -> UInt8 { k < end ? p.load(fromByteOffset: k, as: UInt8.self) : 0 }
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }
        if at(j) == UInt8(ascii: "-") { n.negative = true; j += 1 }
        else if !json, at(j) == UInt8(ascii: "+") { j += 1 }
        var intDigits = 0
        if json, at(j) == UInt8(ascii: "0") {
            j += 1
            intDigits = 1
        } else {
            while isDigit(at(j)) {
                let d = UInt64(at(j) &- UInt8(ascii: "0"))
                if n.mantissa == 0 && d == 0 {
                    // leading zero: not significant
                } else if n.significantDigits < 19 {
                    n.mantissa = n.mantissa &* 10 &+ d
                    n.significantDigits += 1
                } else {
                    n.significantDigits += 1
                    n.exponent += 1
                }
                intDigits += 1
                j += 1
            }
        }
        var fracDigits = 0
        if at(j) == UInt8(ascii: ".") {
            n.isInteger = false
            j += 1
            while isDigit(at(j)) {
                let d = UInt64(at(j) &- UInt8(ascii: "0"))
                if n.mantissa == 0 && d == 0 {
                    n.exponent -= 1
                } else if n.significantDigits < 19 {
                    n.mantissa = n.mantissa &* 10 &+ d
                    n.significantDigits += 1
                    n.exponent -= 1
                } else {
                    n.significantDigits += 1
                }
                fracDigits += 1
                j += 1
            }
            if json && fracDigits == 0 { n.end = j; return nil }
        }
        if intDigits == 0 && (json || fracDigits == 0) { n.end = j; return nil }
        if at(j) == UInt8(ascii: "e") || at(j) == UInt8(ascii: "E") {
            n.isInteger = false
            j += 1
            var negExp = false
            if at(j) == UInt8(ascii: "+") { j += 1 } else if at(j) == UInt8(ascii: "-") { negExp = true; j += 1 }
            guard isDigit(at(j)) else { n.end = j; return nil }
            var e = 0
            while isDigit(at(j)) {
                if e < 1_000_000 { e = e * 10 + Int(at(j) &- UInt8(ascii: "0")) }
                j += 1
            }
            n.exponent += negExp ? -e : e
        }
        n.end = j
        return n
    }

    /// The nearest Double (±infinity when out of range, e.g. `1e400`).
    @inline(__always)
    func double(_ p: UnsafeRawPointer) -> Double {
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if significantDigits <= 19, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let m = Double(mantissa)
            let v = exponent >= 0 ? m * Self.exactPower(exponent) : m / Self.exactPower(-exponent)
            return negative ? -v : v
        }
        return slowDouble(p)
    }

    private func slowDouble(_ p: UnsafeRawPointer) -> Double {
        let text = String(decoding: UnsafeRawBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        return Double(text) ?? .nan
    }

    /// The value as an exact Int64, or `nil` when it has a fraction or is out of range.
    func int64(_ p: UnsafeRawPointer) -> Int64? {
        if isInteger {
            guard significantDigits <= 19, exponent == 0 else { return nil }
            if negative { return mantissa <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- mantissa) : nil }
            return mantissa <= UInt64(Int64.max) ? Int64(mantissa) : nil
        }
        let d = double(p)
        guard d.isFinite, d == d.rounded(.towardZero), d > -9.2e18, d < 9.2e18 else { return nil }
        return Int64(d)
    }

    /// The value as an exact non-negative integer, or `nil` (sign, fraction, exponent or > 10^19−1).
    func uint64() -> UInt64? {
        guard isInteger, significantDigits <= 19, exponent == 0 else { return nil }
        if negative { return mantissa == 0 ? 0 : nil }
        return mantissa
    }
}
