// Placeholder: core-parse fills in the payload parsing benchmarks
// (compact JSON and line protocol readings per second).
import Benchmark
import KlasterCore

let benchmarks: @Sendable () -> Void = {
}
