import KlasterCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A seedable pseudo-random generator for the simulator: xoshiro256** seeded
/// through SplitMix64 (Blackman & Vigna). The standard library has no seedable
/// generator, and the simulator must give the same stream for the same seed on
/// every platform, so this one is spelled out here.
///
/// Not for cryptography.
public struct SimulationRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Seeds the four state words from `seed` with SplitMix64, which never
    /// yields the all-zero state xoshiro must avoid.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// A generator for an independent sub-stream (e.g. one per meter), derived
    /// from this seed and a label, so adding a meter does not shift the others.
    public static func derived(seed: UInt64, stream: UInt64) -> SimulationRandom {
        SimulationRandom(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) &+ 0x2545_F491_4F6C_DD1D)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// `true` with probability `p` (p ≤ 0 never, p ≥ 1 always).
    @inlinable
    public mutating func chance(_ p: Double) -> Bool {
        p > 0 && unit() < p
    }

    /// Standard normal deviate (Box–Muller, one of the pair).
    public mutating func gaussian() -> Double {
        var u = unit()
        while u <= 0 { u = unit() }
        let v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

@inline(__always)
private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }
