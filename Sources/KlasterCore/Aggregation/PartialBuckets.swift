/// The bucket partials collected since the last batch: one `BucketRow` per
/// (series, width, bucket start) touched, each carrying only what this batch
/// adds (so the store can upsert-merge it).
///
/// Readings arrive nearly in time order, so each (series, width) remembers the
/// row of its current bucket (a "slot"): the common case is an array index,
/// no hashing. Rows of older buckets (reached by a late reading or a delta
/// correction) are found through a dictionary. All storage keeps its capacity
/// across batches: steady state does not allocate.
///
/// Only the finest width (and any width it does not divide) is updated per
/// reading. A coarser width that is a multiple of the finest one is derived
/// when the batch is taken, by merging the finest partials into it: buckets
/// are aligned at the epoch, so each finest bucket lies inside exactly one
/// coarser bucket, and each counter increase goes to the bucket of its later
/// reading at every width. That turns four row updates per reading into one.
struct PartialBuckets {
    struct Key: Hashable {
        var series: SeriesID
        var width: Int32
        var start: EpochMillis
    }

    /// Where the row of one (series, width)'s newest bucket is.
    struct Slot {
        var start: EpochMillis = .min
        var end: EpochMillis = .min
        /// Batch epoch the row index is valid in (0: never).
        var epoch: UInt32 = 0
        var row: Int32 = -1
    }

    let widths: [BucketWidth]
    private(set) var rows: [BucketRow] = []
    /// Indexed by `series * widths.count + width index`.
    private var slots: ContiguousArray<Slot> = []
    /// Rows of buckets other than a slot's current one, in this batch.
    private var older: [Key: Int32] = [:]
    private var epoch: UInt32 = 1

    /// Index of the smallest width.
    let finest: Int
    /// Widths updated per reading: the finest and those it does not divide.
    let directWidths: [Int]
    /// Widths derived from the finest partials at `take()`.
    let derivedWidths: [Int]
    /// Whether widths other than the finest are updated per reading (rare:
    /// only a width the finest does not divide). Checked before touching
    /// `directWidths`, so the common path retains no array.
    let hasOtherDirectWidths: Bool

    init(widths: [BucketWidth]) {
        self.widths = widths
        let f = widths.indices.min { widths[$0].millis < widths[$1].millis } ?? 0
        finest = f
        let derivable = widths.indices.filter { $0 != f && widths[$0].millis % widths[f].millis == 0 }
        derivedWidths = derivable
        directWidths = widths.indices.filter { !derivable.contains($0) }
        hasOtherDirectWidths = directWidths.count > 1
    }

    /// Makes room for series ids up to `series`.
    mutating func ensureSeries(_ series: SeriesID) {
        let needed = (Int(series) + 1) * widths.count
        if slots.count < needed {
            slots.append(contentsOf: repeatElement(Slot(), count: needed - slots.count))
        }
    }

    /// The bucket start of `ts` for width `w` of `series`: from the slot when
    /// `ts` falls in the current bucket (no division), else computed.
    func bucketStart(series: SeriesID, width w: Int, ts: EpochMillis) -> EpochMillis {
        let slot = slots[Int(series) &* widths.count &+ w]
        if ts >= slot.start && ts < slot.end { return slot.start }
        return widths[w].start(of: ts)
    }

    /// Index in `rows` of this batch's partial for (series, width, start),
    /// created empty when the batch has none yet.
    mutating func row(series: SeriesID, width w: Int, start: EpochMillis, isCounter: Bool) -> Int {
        let k = Int(series) &* widths.count &+ w
        let slot = slots[k]
        if start == slot.start {
            if slot.epoch == epoch { return Int(slot.row) }
            let i = newRow(series: series, width: w, start: start, isCounter: isCounter)
            slots[k].epoch = epoch
            slots[k].row = Int32(i)
            return i
        }
        if start > slot.start {
            // The series moved on to a newer bucket; the old current row (if
            // it is in this batch) stays reachable through `older`.
            if slot.epoch == epoch {
                older[Key(series: series, width: Int32(w), start: slot.start)] = slot.row
            }
            let i = newRow(series: series, width: w, start: start, isCounter: isCounter)
            slots[k] = Slot(start: start, end: start + widths[w].millis, epoch: epoch, row: Int32(i))
            return i
        }
        let key = Key(series: series, width: Int32(w), start: start)
        if let i = older[key] { return Int(i) }
        let i = newRow(series: series, width: w, start: start, isCounter: isCounter)
        older[key] = Int32(i)
        return i
    }

    private mutating func newRow(series: SeriesID, width w: Int, start: EpochMillis, isCounter: Bool) -> Int {
        rows.append(BucketRow(empty: series, width: widths[w], start: start, isCounter: isCounter))
        return rows.count - 1
    }

    /// Adds one reading's value to row `i`.
    mutating func addValue(row i: Int, ts: EpochMillis, value: Double) {
        rows[i].add(ts: ts, value: value)
    }

    /// Adds (`sign` +1) or takes back (`sign` −1) one counter delta in row `i`.
    mutating func addDelta(row i: Int, _ d: CounterDelta, sign: Int64) {
        rows[i].add(d, sign: sign)
    }

    /// Hands over the rows and starts a new batch (capacity is kept).
    /// - Parameter deriving: Merge the finest rows into the widths derived
    ///   from it first (`false`: the caller derives them, as finalisation does).
    mutating func take(deriving: Bool) -> [BucketRow] {
        let finestMillis = widths[finest].millis
        let n = deriving ? rows.count : 0
        for i in 0..<n where rows[i].width.millis == finestMillis {
            let r = rows[i]
            for w in derivedWidths {
                let j = row(series: r.series, width: w, start: widths[w].start(of: r.start), isCounter: r.delta != nil)
                rows[j].merge(r)
            }
        }
        // Hand the buffer itself over (no copy) and start a new one as large.
        let out = rows
        rows = []
        rows.reserveCapacity(out.count)
        older.removeAll(keepingCapacity: true)
        epoch = epoch == .max ? 1 : epoch + 1
        if epoch == 1 {
            // Wrapped after 4 billion batches: forget every slot's row.
            for k in slots.indices { slots[k].epoch = 0 }
        }
        return out
    }
}
