/// A finalising aggregator's open buckets of one series: the finest width's
/// rows from the series' frontier on, sorted by start — about a lateness'
/// worth of them (6 for 5 minutes of 1-minute buckets).
///
/// Readings are added to these rows directly (no per-batch partial to merge
/// in), so a reading touches the newest row and nothing else in the common
/// case. A ring buffer whose pointer and indices live inline in the series'
/// state, like ``SeriesWindow``: finalising drops rows from the front, a new
/// bucket is appended at the back, and only a reading for a bucket that has
/// no row yet while a newer one has (out of order across a boundary) shifts
/// rows. Storage doubles when full and is then reused: steady state does not
/// allocate.
///
/// The memory is freed by ``deallocate()``, which the owning aggregator calls
/// in its `deinit` (the value itself is held in one place).
struct OpenBuckets {
    private var base: UnsafeMutablePointer<BucketRow>?
    private var mask: Int32 = -1
    /// Physical slot of logical index 0.
    private var head: Int32 = 0
    /// Number of open rows.
    private(set) var count: Int32 = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    /// Row `i` (0 = oldest), in place.
    subscript(i: Int) -> BucketRow {
        unsafeAddress { UnsafePointer(base.unsafelyUnwrapped + ((Int(head) &+ i) & Int(mask))) }
        unsafeMutableAddress { base.unsafelyUnwrapped + ((Int(head) &+ i) & Int(mask)) }
    }

    /// Index of the row starting at `start`, made (empty, from `make`) where
    /// the order puts it if there is none.
    /// - Returns: the index, and whether the row is new.
    /// - Complexity: O(1) for the newest row or a new newest one; else
    ///   O(open rows).
    mutating func index(start: EpochMillis, make: () -> BucketRow) -> (index: Int, isNew: Bool) {
        // Usually the newest row or one just before it: search from the end.
        var i = Int(count)
        while i > 0 && self[i - 1].start > start { i -= 1 }
        if i > 0 && self[i - 1].start == start { return (i - 1, false) }
        insert(make(), at: i)
        return (i, true)
    }

    /// Inserts a row at logical index `i ≤ count` (keeping start order).
    private mutating func insert(_ row: BucketRow, at i: Int) {
        if count == mask &+ 1 { grow() }
        let p = base.unsafelyUnwrapped
        let m = Int(mask)
        var j = Int(count)
        while j > i {
            p[(Int(head) &+ j) & m] = p[(Int(head) &+ j &- 1) & m]
            j -= 1
        }
        p[(Int(head) &+ i) & m] = row
        count += 1
    }

    /// Drops the `n ≤ count` oldest rows (after they were handed out).
    mutating func dropFirst(_ n: Int) {
        head = Int32((Int(head) &+ n) & Int(mask))
        count -= Int32(n)
    }

    private mutating func grow() {
        let oldCapacity = Int(mask) &+ 1
        let newCapacity = Swift.max(8, oldCapacity * 2)
        // BucketRow is a trivial type (no references): plain assignment and
        // `deallocate` without deinitialising are fine.
        let p = UnsafeMutablePointer<BucketRow>.allocate(capacity: newCapacity)
        for i in 0..<Int(count) { (p + i).initialize(to: self[i]) }
        base?.deallocate()
        base = p
        mask = Int32(newCapacity - 1)
        head = 0
    }

    /// Frees the storage; no row is open afterwards.
    mutating func deallocate() {
        base?.deallocate()
        base = nil
        mask = -1
        head = 0
        count = 0
    }
}
