// Aggregation benchmarks: readings per second into 4 widths (1m/15m/1h/1d)
// over 10 000 series (half counters, half gauges), one reading per series per
// second in time order, a batch taken every 100 000 readings (a transaction
// of a fast import or a busy daemon) or every 10 000 (one reading per series
// per batch: every reading opens 4 new bucket rows) — the aggregator thread's
// steady state. One iteration = 1 M readings; the warm-up iterations
// fill every series' 5-minute lateness window first, so the malloc count of a
// measured iteration is what steady state costs (a few per batch, none per
// reading).
//
// The "finalising" variants are what the ingest daemon and `klaster import`
// run: batches carry only buckets that became final (each series' finest
// bucket once its newest reading is 5 min past it, merged into 15m/1h/1d), at
// the batch size the daemon really commits — about 1 000 messages, one broker
// in-flight window.
//
//   cd Benchmarks && swift package benchmark --target AggregateBenchmarks
import Benchmark
import KlasterCore

let seriesCount = 10_000
let roundsPerIteration = 100

enum AggregateMetric {
    static let readingsPerSecond = BenchmarkMetric.custom("readings/s", polarity: .prefersLarger)
}

/// The aggregator and its stream position, kept across iterations so the
/// stream goes on in time (a restarted stream would be all duplicates).
final class Feed: @unchecked Sendable {
    // @unchecked Sendable: used by the benchmark body only, which package-benchmark
    // runs on one thread at a time.
    let aggregator: Aggregator
    var round: Int64 = 0
    let t0: EpochMillis = 1_767_225_600_000
    var sink = 0

    init(outOfOrder: Bool, batchEvery: Int, finalizing: Bool = false) {
        self.batchEvery = batchEvery
        aggregator = Aggregator(widths: BucketWidth.defaults, allowedLateness: 300_000, quantities: QuantityTable(),
                                finalizing: finalizing)
        for i in 0..<seriesCount {
            let counter = i % 2 == 0
            let q = counter ? "active_energy_kwh" : "active_power_kw"
            aggregator.register(SeriesInfo(id: SeriesID(i), key: "p/m\(i)/\(q)", plant: "p", quantity: q,
                                           kind: counter ? .counter : .gauge, unit: counter ? "kWh" : "kW"))
        }
        _ = aggregator.takeBatch(lastMessageSeq: 0)
        self.outOfOrder = outOfOrder
    }

    let outOfOrder: Bool
    let batchEvery: Int

    /// Feeds `roundsPerIteration` seconds of readings of every series.
    func run() -> Int {
        var n = 0
        for _ in 0..<roundsPerIteration {
            round += 1
            // Out-of-order variant: every 8th series swaps each pair of
            // seconds (0, 3, 2, 5, 4, …): every other reading lands 1 s behind
            // the newest, between two others — the delta-correction path.
            for s in 0..<seriesCount {
                var r = round
                if outOfOrder && s & 7 == 0 { r = round ^ 1 }
                let ts = t0 + r * 1_000
                let value = s % 2 == 0 ? Double(r) * 0.25 : Double((r &* 7 + Int64(s)) % 1_000)
                aggregator.add(Reading(series: SeriesID(s), ts: ts, value: value))
                n += 1
                if n % batchEvery == 0 {
                    let batch = aggregator.takeBatch(lastMessageSeq: UInt64(n))
                    sink &+= batch.buckets.count
                }
            }
        }
        return n
    }
}

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .instructions, .mallocCountTotal, .peakMemoryResident, AggregateMetric.readingsPerSecond],
        // 7 × 100 s of readings: every window has grown to its steady size
        // (the lateness is pruned lazily, so a window spans up to 2 × 5 min).
        warmupIterations: 7,
        maxDuration: .seconds(30),
        maxIterations: 10)

    func measure(_ feed: Feed, _ benchmark: Benchmark) {
        let clock = ContinuousClock()
        let start = clock.now
        let n = feed.run()
        let d = clock.now - start
        benchmark.measurement(AggregateMetric.readingsPerSecond,
                              Int(Double(n) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)))
        blackHole(feed.sink)
    }

    Benchmark("aggregate 1M readings, 10k series, 4 widths, in order, batch 100k", configuration: config) { benchmark in
        measure(inOrderFeed, benchmark)
    }

    Benchmark("aggregate 1M readings, 10k series, 4 widths, in order, batch 10k", configuration: config) { benchmark in
        measure(smallBatchFeed, benchmark)
    }

    Benchmark("aggregate 1M readings, 10k series, 4 widths, 1/8 series out of order, batch 100k", configuration: config) { benchmark in
        measure(outOfOrderFeed, benchmark)
    }

    Benchmark("finalising 1M readings, 10k series, 4 widths, in order, batch 1k", configuration: config) { benchmark in
        measure(finalizingFeed, benchmark)
    }

    Benchmark("finalising 1M readings, 10k series, 4 widths, 1/8 series out of order, batch 1k", configuration: config) { benchmark in
        measure(finalizingOutOfOrderFeed, benchmark)
    }
}

let inOrderFeed = Feed(outOfOrder: false, batchEvery: 100_000)
let smallBatchFeed = Feed(outOfOrder: false, batchEvery: 10_000)
let outOfOrderFeed = Feed(outOfOrder: true, batchEvery: 100_000)
let finalizingFeed = Feed(outOfOrder: false, batchEvery: 1_000, finalizing: true)
let finalizingOutOfOrderFeed = Feed(outOfOrder: true, batchEvery: 1_000, finalizing: true)
