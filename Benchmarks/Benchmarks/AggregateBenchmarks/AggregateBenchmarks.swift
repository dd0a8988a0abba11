// Aggregation benchmarks: filled in with the aggregator.
import Benchmark
import KlasterCore

let benchmarks: @Sendable () -> Void = {
}
