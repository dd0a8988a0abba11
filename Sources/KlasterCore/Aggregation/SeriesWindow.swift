/// One reading remembered by a series' window: enough to dedupe and to
/// recompute counter deltas around a reading that arrives out of order.
/// 16 bytes: a quality-`bad` reading (kept only to dedupe, never aggregated,
/// never a neighbour in a delta) is stored with a NaN value — aggregated
/// readings are finite (the parsers reject non-finite values).
struct WindowEntry: Sendable, Equatable {
    var ts: EpochMillis
    var value: Double

    init(ts: EpochMillis, value: Double, aggregated: Bool) {
        self.ts = ts
        self.value = aggregated ? value : .nan
    }

    var aggregated: Bool { !value.isNaN }

    static func == (a: WindowEntry, b: WindowEntry) -> Bool {
        a.ts == b.ts && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// The recent readings of one series, sorted by ts: at least every reading
/// within `allowedLateness` of the series' newest, plus (as `anchor`) the
/// newest aggregated reading pruned so far — the predecessor a late reading
/// at the window's edge needs for its delta.
///
/// A ring buffer whose pointer, indices and the newest values live inline in
/// the series' state (no heap header to chase per reading): in the common
/// case `add` touches only the line the new entry goes to. Storage doubles
/// when full and is then reused: steady state does not allocate.
///
/// The memory is freed by ``deallocate()``, which the owning aggregator calls
/// in its `deinit` (the window itself is a plain value held in one place).
struct SeriesWindow {
    // Field order and 32-bit indices keep what `append` touches (pointer,
    // newest, last aggregated, indices) in the first 48 bytes, so that with
    // its owner's fields a new newest reading touches two lines of
    // `SeriesState`, not three.
    private var base: UnsafeMutablePointer<WindowEntry>?
    /// ts of the last entry (the series' newest reading), `.min` if empty.
    private(set) var newestTs: EpochMillis = .min
    /// The newest aggregated entry ever kept (pruned or not).
    private(set) var lastAggregated: WindowEntry?
    private var storedMask: Int32 = -1
    private var storedHead: Int32 = 0
    private var storedCount: Int32 = 0
    /// The newest aggregated entry pruned so far.
    private(set) var anchor: WindowEntry?

    private var mask: Int {
        get { Int(storedMask) }
        set { storedMask = Int32(truncatingIfNeeded: newValue) }
    }
    /// Physical slot of logical index 0.
    private var head: Int {
        get { Int(storedHead) }
        set { storedHead = Int32(truncatingIfNeeded: newValue) }
    }
    /// Number of live entries.
    private(set) var count: Int {
        get { Int(storedCount) }
        set { storedCount = Int32(truncatingIfNeeded: newValue) }
    }

    init() {}

    var isEmpty: Bool { count == 0 }

    /// The newest ts seen, or `nil` for an empty window.
    var newest: EpochMillis? { count == 0 ? nil : newestTs }

    subscript(i: Int) -> WindowEntry {
        base.unsafelyUnwrapped[(head &+ i) & mask]
    }

    /// Logical index of the first entry with `ts >= ts` (`count` if none).
    func lowerBound(_ ts: EpochMillis) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if self[mid].ts < ts { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The newest aggregated entry before logical index `i` (or the anchor).
    func predecessor(before i: Int) -> WindowEntry? {
        if i == count { return lastAggregated }
        var j = i - 1
        while j >= 0 {
            let e = self[j]
            if e.aggregated { return e }
            j -= 1
        }
        return anchor
    }

    /// The oldest aggregated entry at or after logical index `i`.
    func successor(from i: Int) -> WindowEntry? {
        var j = i
        while j < count {
            let e = self[j]
            if e.aggregated { return e }
            j += 1
        }
        return nil
    }

    /// Appends an entry newer than every entry in the window.
    mutating func append(_ e: WindowEntry) {
        if count == mask &+ 1 { grow() }
        base.unsafelyUnwrapped[(head &+ count) & mask] = e
        count += 1
        newestTs = e.ts
        if e.aggregated { lastAggregated = e }
    }

    /// Inserts an entry at logical index `i < count` (keeping ts order).
    mutating func insert(_ e: WindowEntry, at i: Int) {
        if count == mask &+ 1 { grow() }
        let p = base.unsafelyUnwrapped
        var j = count
        while j > i {
            p[(head &+ j) & mask] = p[(head &+ j &- 1) & mask]
            j -= 1
        }
        p[(head &+ i) & mask] = e
        count += 1
        if e.aggregated, lastAggregated.map({ e.ts > $0.ts }) ?? true { lastAggregated = e }
    }

    /// The oldest entry if it is older than `boundary`.
    func front(olderThan boundary: EpochMillis) -> WindowEntry? {
        guard count > 0 else { return nil }
        let e = self[0]
        return e.ts < boundary ? e : nil
    }

    /// Drops the oldest entry (after `front(olderThan:)` returned it). The
    /// newest entry is never dropped by the aggregator (it is never older
    /// than the boundary).
    mutating func dropFront() {
        let e = self[0]
        if e.aggregated { anchor = e }
        head = (head &+ 1) & mask
        count -= 1
    }

    /// Replaces the contents (restore after a restart).
    mutating func reset(entries: [WindowEntry], anchor: WindowEntry?) {
        count = 0
        head = 0
        self.anchor = anchor
        lastAggregated = anchor
        newestTs = .min
        for e in entries { append(e) }
    }

    private mutating func grow() {
        let oldCapacity = mask &+ 1
        let newCapacity = Swift.max(16, oldCapacity * 2)
        let p = UnsafeMutablePointer<WindowEntry>.allocate(capacity: newCapacity)
        for i in 0..<count { (p + i).initialize(to: self[i]) }
        base?.deallocate()
        base = p
        mask = newCapacity - 1
        head = 0
    }

    /// Frees the storage; the window is empty afterwards.
    mutating func deallocate() {
        base?.deallocate()
        base = nil
        mask = -1
        head = 0
        count = 0
    }
}
