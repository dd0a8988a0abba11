import KlasterCore
import PropertyBased
import Testing

/// The documented aggregation laws, checked on random streams: arrival
/// order within the lateness window, batch boundaries, partitioning of series
/// over processes and a restart do not change the merged buckets.
///
/// Values are small integers, so every sum is exact in `Double` and the
/// buckets can be compared with `==`.
@Suite("Aggregator: laws")
struct AggregatorPropertyTests {
    typealias F = Fixture

    /// xorshift64*, so that one generated seed gives one reproducible stream.
    struct Rand {
        var state: UInt64
        init(_ seed: Int) { state = UInt64(bitPattern: Int64(seed)) | 1 }
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
        mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    }

    /// An in-order stream over the three fixture series: counters that grow,
    /// wrap (energy, R = 1e6), get reset and jump implausibly; a gauge; some
    /// quality-bad readings and some exact redeliveries (duplicates).
    static func stream(seed: Int, length: Int, maxStepSeconds: Int = 90) -> [Reading] {
        var rng = Rand(seed)
        var out: [Reading] = []
        var ts: [SeriesID: EpochMillis] = [1: F.t0, 2: F.t0, 3: F.t0]
        var value: [SeriesID: Double] = [1: 999_000, 2: 10, 3: 0]
        for _ in 0..<length {
            let s = SeriesID(rng.int(1...3))
            ts[s]! += EpochMillis(rng.int(1...maxStepSeconds)) * 1_000
            if s == 3 {
                value[s] = Double(rng.int(-50...50))
            } else {
                switch rng.int(0...99) {
                case 0..<3: value[s] = Double(rng.int(0...20))  // reset
                case 3..<5: value[s]! += 50_000  // implausible (energy) / large (gas)
                default: value[s]! += Double(rng.int(0...60))
                }
                if s == 1 && value[s]! >= 1_000_000 { value[s]! -= 1_000_000 }  // wrap
            }
            let q: Quality = rng.chance(4) ? .bad : (rng.chance(10) ? .uncertain : .good)
            let r = Reading(series: s, ts: ts[s]!, value: q == .bad ? Double(rng.int(0...1_000_000)) : value[s]!, quality: q)
            out.append(r)
            if rng.chance(5) { out.append(r) }  // redelivered at once
        }
        // Interleave the series by time (stable, so a redelivery stays after its original).
        return out.enumerated().sorted { ($0.element.ts, $0.offset) < ($1.element.ts, $1.offset) }.map(\.element)
    }

    /// A permutation in which no reading arrives more than `lateness` behind
    /// the newest one before it: sort by ts + a jitter in [0, lateness].
    static func shuffledWithinLateness(_ s: [Reading], seed: Int) -> [Reading] {
        var rng = Rand(seed &+ 99)
        let keyed = s.enumerated().map { ($0.element.ts + EpochMillis(rng.int(0...Int(F.lateness))), $0.offset, $0.element) }
        return keyed.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    static func run(_ readings: [Reading], takeAfter cuts: Set<Int> = []) -> [Batch] {
        let a = F.aggregator()
        var batches: [Batch] = []
        for (i, r) in readings.enumerated() {
            a.add(r)
            if cuts.contains(i) { batches.append(a.takeBatch(lastMessageSeq: UInt64(i))) }
        }
        batches.append(a.takeBatch(lastMessageSeq: UInt64(readings.count)))
        return batches
    }

    @Test func arrivalOrderWithinLatenessDoesNotMatter() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max), Gen.int(in: 1...400)) { seed, length in
            let inOrder = Self.stream(seed: seed, length: length)
            let shuffled = Self.shuffledWithinLateness(inOrder, seed: seed)
            let expected = mergeBuckets(Self.run(inOrder))
            let got = Self.run(shuffled)
            #expect(mergeBuckets(got) == expected)
            #expect(got.reduce(0) { $0 + $1.counters.late } == 0)
            #expect(got.reduce(0) { $0 + $1.counters.implausible } == expected.values.filter { $0.width == .day }.reduce(0) { $0 + $1.implausible })
        }
    }

    /// Dense streams: hundreds of readings per lateness window, so windows
    /// grow, wrap around and are pruned while late readings are inserted.
    @Test func arrivalOrderWithinLatenessDoesNotMatterForDenseStreams() async {
        await propertyCheck(count: 20, input: Gen.int(in: 0...Int.max), Gen.int(in: 500...3_000)) { seed, length in
            let inOrder = Self.stream(seed: seed, length: length, maxStepSeconds: 3)
            let shuffled = Self.shuffledWithinLateness(inOrder, seed: seed)
            #expect(mergeBuckets(Self.run(shuffled, takeAfter: [length / 3])) == mergeBuckets(Self.run(inOrder)))
        }
    }

    @Test func batchesOfTwoHalvesMergeToTheWhole() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max), Gen.int(in: 2...400)) { seed, length in
            let s = Self.shuffledWithinLateness(Self.stream(seed: seed, length: length), seed: seed)
            let whole = Self.run(s)
            #expect(whole.count == 1)
            let halves = Self.run(s, takeAfter: [s.count / 2 - 1])
            #expect(mergeBuckets(halves) == mergeBuckets(whole))
        }
    }

    @Test func batchesTakenAtRandomPointsMergeToTheWhole() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max), Gen.int(in: 1...400), Gen.int(in: 0...Int(1) << 20)) { seed, length, cutSeed in
            let s = Self.shuffledWithinLateness(Self.stream(seed: seed, length: length), seed: seed)
            var rng = Rand(cutSeed)
            let cuts = Set((0..<rng.int(0...20)).map { _ in rng.int(0...s.count) })
            let batches = Self.run(s, takeAfter: cuts)
            #expect(mergeBuckets(batches) == mergeBuckets(Self.run(s)))
            // Each batch holds at most one partial per bucket.
            for b in batches {
                #expect(Set(b.buckets.map { BucketKey(series: $0.series, width: $0.width, start: $0.start) }).count == b.buckets.count)
            }
        }
    }

    @Test func seriesSplitOverTwoProcessesMergeToTheWhole() async {
        // Shared subscriptions partition series over processes; their buckets must merge.
        await propertyCheck(count: 40, input: Gen.int(in: 0...Int.max), Gen.int(in: 1...400)) { seed, length in
            let s = Self.shuffledWithinLateness(Self.stream(seed: seed, length: length), seed: seed)
            let left = Self.run(s.filter { $0.series == 2 })
            let right = Self.run(s.filter { $0.series != 2 })
            #expect(mergeBuckets(left + right) == mergeBuckets(Self.run(s)))
        }
    }

    /// What a store hands `restore` after a restart: per series, the stored
    /// readings within the lateness of its newest, plus the last aggregated
    /// one before that.
    static func recent(from stored: [Reading]) -> [Reading] {
        var out: [Reading] = []
        for id in Set(stored.map(\.series)) {
            let rs = stored.filter { $0.series == id }.sorted { $0.ts < $1.ts }
            guard let newest = rs.last?.ts else { continue }
            let boundary = newest - F.lateness
            out += rs.filter { $0.ts >= boundary }
            if let anchor = rs.last(where: { $0.ts < boundary && $0.quality != .bad }) { out.append(anchor) }
        }
        return out
    }

    @Test func restartAndRedeliveryGiveTheSameBuckets() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max), Gen.int(in: 2...400), Gen.int(in: 0...1_000)) { seed, length, cutSeed in
            let s = Self.stream(seed: seed, length: length)
            var rng = Rand(cutSeed)
            let k = rng.int(1...s.count)  // readings committed before the crash
            let redelivered = rng.int(0...Swift.min(k, 30))

            let before = Fixture.aggregator()
            for r in s[..<k] { before.add(r) }
            let committed = before.takeBatch(lastMessageSeq: 1)

            let after = Aggregator(widths: BucketWidth.defaults, allowedLateness: F.lateness, quantities: F.quantities)
            after.restore(series: [F.energy, F.gas, F.power], recent: Self.recent(from: committed.readings))
            for r in s[(k - redelivered)...] { after.add(r) }
            let rest = after.takeBatch(lastMessageSeq: 2)

            #expect(rest.newSeries.isEmpty)
            #expect(mergeBuckets([committed, rest]) == mergeBuckets(Self.run(s)))
        }
    }

    /// Finalising changes only *when* a bucket is handed out: at any batch
    /// size (down to one reading per batch) and across a restart restored
    /// from the stored frontiers and the raw readings from them on, the final
    /// rows plus the buckets still open (flushed as idle at the end) merge to
    /// the partials' result.
    @Test func finalisingGivesThePartialsResultAtAnyBatchSizeAndAcrossARestart() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max), Gen.int(in: 1...400), Gen.int(in: 0...1_000)) { seed, length, cutSeed in
            let s = Self.shuffledWithinLateness(Self.stream(seed: seed, length: length, maxStepSeconds: 30), seed: seed)
            var rng = Rand(cutSeed)
            let every = rng.int(1...40)  // readings per batch
            let k = rng.int(0...s.count)  // readings committed before the restart
            let infos = [F.energy, F.gas, F.power]
            func finalising() -> Aggregator {
                Aggregator(widths: BucketWidth.defaults, allowedLateness: F.lateness, quantities: F.quantities, finalizing: true)
            }
            var batches: [Batch] = []
            func feed(_ a: Aggregator, _ readings: ArraySlice<Reading>) {
                for (i, r) in readings.enumerated() {
                    a.add(r)
                    if (i + 1) % every == 0 { batches.append(a.takeBatch(lastMessageSeq: UInt64(i))) }
                }
                batches.append(a.takeBatch(lastMessageSeq: 0))
            }

            let before = finalising()
            for info in infos { before.register(info) }
            feed(before, s[..<k])
            // What the store hands back: each series' latest frontier and its
            // stored readings (late ones are flagged and left out) from it on.
            var latest: [SeriesID: SeriesFrontier] = [:]
            for f in batches.flatMap(\.frontiers) { latest[f.series] = f }
            let open = batches.flatMap(\.readings)
                .filter { $0.ts >= latest[$0.series]?.finalUntil ?? .min }
                .sorted { $0.ts < $1.ts }
            let after = finalising()
            after.restore(series: infos, frontiers: Array(latest.values), open: open)
            feed(after, s[k...])
            after.setClock(.max / 2)
            after.finalizeIdle(idleAfter: 0)
            batches.append(after.takeBatch(lastMessageSeq: 0))

            #expect(after.openFrom == nil)
            #expect(mergeBuckets(batches) == mergeBuckets(Self.run(s)))
        }
    }
}
