/// One reading remembered by a series' window: enough to dedupe and to
/// recompute counter deltas around a reading that arrives out of order.
struct WindowEntry: Sendable, Equatable {
    var ts: EpochMillis
    var value: Double
    /// `false` for quality `bad`: kept only to dedupe, never aggregated and
    /// never a neighbour in a delta.
    var aggregated: Bool

    init(ts: EpochMillis, value: Double, aggregated: Bool) {
        self.ts = ts
        self.value = value
        self.aggregated = aggregated
    }
}

/// The recent readings of one series, sorted by ts: every reading within
/// `allowedLateness` of the series' newest, plus (as `anchor`) the newest
/// aggregated reading before that boundary, the predecessor a late reading at
/// the boundary needs for its delta. Bounded by the readings of one lateness
/// window; storage is reused, so steady-state appends do not allocate.
struct SeriesWindow: Sendable {
    /// `entries[start...]` are live; the prefix is pruned space reclaimed in bulk.
    var entries: ContiguousArray<WindowEntry> = []
    var start = 0
    /// The newest aggregated entry pruned so far.
    var anchor: WindowEntry?

    init() {}

    var isEmpty: Bool { start == entries.count }

    /// The newest ts seen (the last entry), or `nil` for an empty window.
    var newest: EpochMillis? { isEmpty ? nil : entries[entries.count - 1].ts }

    var count: Int { entries.count - start }

    /// Index of the first live entry with `ts >= ts` (`entries.count` if none).

    func lowerBound(_ ts: EpochMillis) -> Int {
        var lo = start
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if entries[mid].ts < ts { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The newest aggregated entry before index `i` (or the anchor).

    func predecessor(before i: Int) -> WindowEntry? {
        var j = i - 1
        while j >= start {
            if entries[j].aggregated { return entries[j] }
            j -= 1
        }
        return anchor
    }

    /// The oldest aggregated entry at or after index `i`.

    func successor(from i: Int) -> WindowEntry? {
        var j = i
        while j < entries.count {
            if entries[j].aggregated { return entries[j] }
            j += 1
        }
        return nil
    }

    mutating func append(_ e: WindowEntry) {
        entries.append(e)
    }

    mutating func insert(_ e: WindowEntry, at i: Int) {
        entries.insert(e, at: i)
    }

    /// The oldest live entry if it is older than `boundary`.

    func front(olderThan boundary: EpochMillis) -> WindowEntry? {
        guard start < entries.count, entries[start].ts < boundary else { return nil }
        return entries[start]
    }

    /// Drops the oldest live entry (after `front(olderThan:)` returned it).

    mutating func dropFront() {
        let e = entries[start]
        if e.aggregated { anchor = e }
        start += 1
        // Reclaim the pruned prefix in bulk (amortised O(1), in place).
        if start >= 32 && start * 2 >= entries.count {
            entries.removeSubrange(0..<start)
            start = 0
        }
    }

    /// Replaces the contents (restore after a restart).
    mutating func reset(entries newEntries: [WindowEntry], anchor: WindowEntry?) {
        entries.removeAll(keepingCapacity: true)
        entries.append(contentsOf: newEntries)
        start = 0
        self.anchor = anchor
    }
}
