// Ring benchmarks: filled in with the SPSC ring.
import Benchmark
import KlasterCore

let benchmarks: @Sendable () -> Void = {
}
