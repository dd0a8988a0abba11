/// An open-addressing hash table from byte strings to series ids, owning copies
/// of its keys in one arena, so that a lookup of a known key neither allocates
/// nor retains anything: hash the bytes, probe linearly, compare word by word.
///
/// Single-threaded (owned by `SeriesResolver` and `SparkplugHost` on the network
/// thread); not Sendable.
public final class ByteKeyTable {
    private struct Slot {
        var hash: UInt64
        var offset: Int
        /// -1 marks an empty slot.
        var length: Int
        var id: SeriesID
    }

    private var slots: UnsafeMutablePointer<Slot>
    private var mask: Int
    public private(set) var count = 0
    private var arena: UnsafeMutableRawPointer
    private var arenaCapacity: Int
    private var arenaUsed = 0
    private let seed: UInt64

    public init(seed: UInt64, initialCapacity: Int = 1024) {
        var cap = 16
        while cap < initialCapacity { cap <<= 1 }
        self.seed = seed
        mask = cap - 1
        slots = .allocate(capacity: cap)
        slots.initialize(repeating: Slot(hash: 0, offset: 0, length: -1, id: 0), count: cap)
        arenaCapacity = cap * 32
        arena = .allocate(byteCount: arenaCapacity, alignment: 8)
    }

    deinit {
        slots.deallocate()
        arena.deallocate()
    }

    /// A seeded multiply-xorshift hash over 8-byte words.
    @inline(__always)
    func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = key.count
        var h = seed ^ (UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15)
        guard let p = key.baseAddress else { return h }
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        }
        h ^= h >> 32
        h = h &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }

    @inline(__always)
    private func equal(_ slot: Slot, _ key: UnsafeRawBufferPointer) -> Bool {
        let n = key.count
        guard slot.length == n else { return false }
        guard let p = key.baseAddress else { return true }
        let q = arena + slot.offset
        var i = 0
        while i + 8 <= n {
            if p.loadUnaligned(fromByteOffset: i, as: UInt64.self) != q.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if p.load(fromByteOffset: i, as: UInt8.self) != q.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    /// The id stored for `key`, if any. No allocation.
    @inline(__always)
    public func find(_ key: UnsafeRawBufferPointer) -> SeriesID? {
        let h = hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s.length < 0 { return nil }
            if s.hash == h, equal(s, key) { return s.id }
            i = (i + 1) & mask
        }
    }

    /// Stores `key → id` (the key must not be present yet).
    public func insert(_ key: UnsafeRawBufferPointer, id: SeriesID) {
        if (count + 1) * 4 > (mask + 1) * 3 { grow() }
        if arenaUsed + key.count > arenaCapacity {
            var cap = arenaCapacity * 2
            while cap < arenaUsed + key.count { cap *= 2 }
            let a = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 8)
            a.copyMemory(from: arena, byteCount: arenaUsed)
            arena.deallocate()
            arena = a
            arenaCapacity = cap
        }
        if let base = key.baseAddress { (arena + arenaUsed).copyMemory(from: base, byteCount: key.count) }
        place(Slot(hash: hash(key), offset: arenaUsed, length: key.count, id: id))
        arenaUsed += key.count
        count += 1
    }

    private func place(_ slot: Slot) {
        var i = Int(truncatingIfNeeded: slot.hash) & mask
        while slots[i].length >= 0 { i = (i + 1) & mask }
        slots[i] = slot
    }

    private func grow() {
        let old = slots
        let oldCap = mask + 1
        let cap = oldCap * 2
        slots = .allocate(capacity: cap)
        slots.initialize(repeating: Slot(hash: 0, offset: 0, length: -1, id: 0), count: cap)
        mask = cap - 1
        for i in 0 ..< oldCap where old[i].length >= 0 { place(old[i]) }
        old.deallocate()
    }
}
