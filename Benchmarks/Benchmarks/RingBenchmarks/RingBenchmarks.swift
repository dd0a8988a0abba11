// Ring benchmarks: one producer thread, one consumer thread, 50 M items
// through 16 384 slots — the lock-free SPSC ring against a Mutex-guarded
// queue in the same iterations (A B A B …), and a thread round trip timed
// before and after, which tells which cross-core state the machine was in
// (≈ 100 ns fast, ≈ 500 ns slow on these shared 2-core machines: the state
// flips every few seconds to minutes, and lock-free figures drop 3–8× in the slow one).
//
//   cd Benchmarks && swift package benchmark --target RingBenchmarks
import Benchmark
import Foundation
import KlasterCore
import KlasterIngest
import Synchronization

let items = 50_000_000
let mutexItems = 10_000_000
let slots = 16_384

enum RingMetric {
    static let spsc = BenchmarkMetric.custom("SPSC items/s", polarity: .prefersLarger)
    static let spscBatch = BenchmarkMetric.custom("SPSC popMany items/s", polarity: .prefersLarger)
    static let mutex = BenchmarkMetric.custom("Mutex items/s", polarity: .prefersLarger)
    static let ratio = BenchmarkMetric.custom("SPSC/Mutex x100", polarity: .prefersLarger)
    static let roundTrip = BenchmarkMetric.custom("round trip ns", polarity: .prefersSmaller)
}

/// Runs `produce` on a new thread and `consume` on this one; returns items/s.
func pump(count: Int, produce: @escaping @Sendable () -> Void, consume: () -> Void) -> Int {
    let done = DispatchSemaphore(value: 0)
    let clock = ContinuousClock()
    let start = clock.now
    let producer = Thread {
        produce()
        done.signal()
    }
    producer.start()
    consume()
    done.wait()
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Int(Double(count) / seconds)
}

func spscThroughput(batch: Bool) -> Int {
    let ring = SPSCRing<Int>(capacity: slots)
    return pump(count: items, produce: {
        for i in 0..<items { ring.push(i) }
    }, consume: {
        var expected = 0
        if batch {
            var buffer: [Int] = []
            buffer.reserveCapacity(1_024)
            var backoff = RingBackoff()
            while expected < items {
                buffer.removeAll(keepingCapacity: true)
                if ring.popMany(max: 1_024, into: &buffer) == 0 { backoff.wait(); continue }
                backoff.reset()
                for v in buffer { precondition(v == expected); expected += 1 }
            }
        } else {
            var backoff = RingBackoff()
            while expected < items {
                if let v = ring.tryPop() {
                    precondition(v == expected)
                    expected += 1
                    backoff.reset()
                } else {
                    backoff.wait()
                }
            }
        }
    })
}

func mutexThroughput() -> Int {
    let queue = MutexQueue<Int>(capacity: slots)
    return pump(count: mutexItems, produce: {
        for i in 0..<mutexItems { while !queue.tryPush(i) {} }
    }, consume: {
        var expected = 0
        while expected < mutexItems {
            if let v = queue.tryPop() {
                precondition(v == expected)
                expected += 1
            }
        }
    })
}

/// Median thread-to-thread round trip (ns) over 5 × 100 000 ping-pongs on an atomic.
func roundTripNanoseconds() -> Int {
    final class Flag: Sendable { let value = Atomic<Int>(0) }
    let n = 100_000
    var samples: [Double] = []
    for _ in 0..<5 {
        let flag = Flag()
        let done = DispatchSemaphore(value: 0)
        let ponger = Thread {
            for i in 0..<n {
                // Acquiring/releasing: a plain ping-pong hand-over.
                while flag.value.load(ordering: .acquiring) != 2 * i + 1 {}
                flag.value.store(2 * i + 2, ordering: .releasing)
            }
            done.signal()
        }
        ponger.start()
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<n {
            flag.value.store(2 * i + 1, ordering: .releasing)
            while flag.value.load(ordering: .acquiring) != 2 * i + 2 {}
        }
        let elapsed = clock.now - start
        done.wait()
        samples.append((Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(n))
    }
    return Int(samples.sorted()[2])
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 5)

    Benchmark("1 thread round trip (before)",
              configuration: .init(metrics: [RingMetric.roundTrip], maxIterations: 3)) { benchmark in
        benchmark.measurement(RingMetric.roundTrip, roundTripNanoseconds())
    }

    // One iteration = SPSC 50 M items, then Mutex 10 M items, then SPSC with
    // batch pops: the ratio is taken within the iteration (same machine state).
    Benchmark("2 SPSC ring vs Mutex queue, 1P/1C, 16k slots",
              configuration: .init(metrics: [RingMetric.spsc, RingMetric.mutex, RingMetric.ratio, RingMetric.spscBatch])) { benchmark in
        let spsc = spscThroughput(batch: false)
        let mutex = mutexThroughput()
        let batch = spscThroughput(batch: true)
        benchmark.measurement(RingMetric.spsc, spsc)
        benchmark.measurement(RingMetric.mutex, mutex)
        benchmark.measurement(RingMetric.ratio, spsc * 100 / Swift.max(mutex, 1))
        benchmark.measurement(RingMetric.spscBatch, batch)
    }

    Benchmark("3 thread round trip (after)",
              configuration: .init(metrics: [RingMetric.roundTrip], maxIterations: 3)) { benchmark in
        benchmark.measurement(RingMetric.roundTrip, roundTripNanoseconds())
    }
}
