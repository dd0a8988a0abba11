import KlasterCore

/// Encodes simulated readings in the contract's JSON form
/// `{"ts":<epoch ms>,"v":<number>,"seq":<uint>}` (a share with an RFC 3339
/// `ts` string), and the malformed variants of the `malformed` fault.
enum SimulatedPayload {
    /// `{"ts":…,"v":…,"seq":…}`.
    static func json(ts: EpochMillis, value: Double, decimals: Int, seq: UInt64, rfc3339: Bool) -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(72)
        b.append(contentsOf: #"{"ts":"#.utf8)
        if rfc3339 {
            b.append(UInt8(ascii: "\""))
            b.append(contentsOf: RFC3339.format(ts).utf8)
            b.append(UInt8(ascii: "\""))
        } else {
            appendInt(ts, to: &b)
        }
        b.append(contentsOf: #","v":"#.utf8)
        appendFixed(value, decimals: decimals, to: &b)
        b.append(contentsOf: #","seq":"#.utf8)
        appendInt(Int64(truncatingIfNeeded: seq), to: &b)
        b.append(UInt8(ascii: "}"))
        return b
    }

    /// How many malformed variants `malformed(variant:…)` knows.
    static let malformedVariants = 9

    /// A malformed message replacing a good one: `(topic, payload)`.
    /// Variants: 0 truncated JSON, 1 `v` a string, 2 no `ts`, 3 no `v`,
    /// 4 `v` overflowing to infinity, 5 invalid UTF-8, 6 empty payload,
    /// 7 `ts` in the year 2100, 8 a topic with a level missing.
    static func malformed(variant: Int, topic: String, plantMeterTopic: String, good: [UInt8],
                          ts: EpochMillis, value: Double) -> (String, [UInt8]) {
        func text(_ s: String) -> [UInt8] { Array(s.utf8) }
        switch variant {
        case 0: return (topic, Array(good.prefix(max(1, good.count / 2))))
        case 1: return (topic, text(#"{"ts":\#(ts),"v":"\#(value)"}"#))
        case 2: return (topic, text(#"{"v":\#(value)}"#))
        case 3: return (topic, text(#"{"ts":\#(ts)}"#))
        case 4: return (topic, text(#"{"ts":\#(ts),"v":1e999}"#))
        case 5: return (topic, [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D])
        case 6: return (topic, [])
        // Far beyond any receive clock (2100-01-01), so it is rejected in a backfill too.
        case 7: return (topic, text(#"{"ts":4102444800000,"v":\#(value)}"#))
        default: return (plantMeterTopic, good)
        }
    }

    static func appendInt(_ v: Int64, to b: inout [UInt8]) {
        if v < 0 { b.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(ascii: "0") &+ UInt8(m % 10)
                m /= 10
                n += 1
            } while m > 0
            while n > 0 {
                n -= 1
                b.append(d[n])
            }
        }
    }

    /// Appends `v` with exactly `decimals` fractional digits (rounded half away from zero).
    static func appendFixed(_ v: Double, decimals: Int, to b: inout [UInt8]) {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * Double(scale)).rounded()
        guard scaled.isFinite, scaled < 9e18 else {
            b.append(contentsOf: "\(v)".utf8)
            return
        }
        let n = Int64(scaled)
        if v < 0 && n != 0 { b.append(UInt8(ascii: "-")) }
        appendInt(n / scale, to: &b)
        guard decimals > 0 else { return }
        b.append(UInt8(ascii: "."))
        var frac = n % scale
        var div = scale / 10
        while div > 0 {
            b.append(UInt8(ascii: "0") &+ UInt8(frac / div))
            frac %= div
            div /= 10
        }
    }
}
