// swift-tools-version:6.1
// Klaster benchmarks (package-benchmark). Its own package so that the main
// package does not depend on the benchmark tooling; it builds into
// Benchmarks/.build.
//
//   cd Benchmarks && swift package benchmark --target RingBenchmarks
//
// The malloc counters (mallocCountTotal) come from the "MallocInterposer"
// trait of ordo-one/benchmark; the "RuntimeInterposer" default trait is left
// off on purpose (it is only needed for ARC counters on Swift 6.3).
import PackageDescription

let benchmarkTarget: (String, [String]) -> Target = { name, klaster in
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark")]
            + klaster.map { .product(name: $0, package: "Klaster") },
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "KlasterBenchmarks",
    dependencies: [
        // `name:` keeps the product reference stable whatever the checkout's
        // directory is called (a path dependency's identity is its folder name).
        .package(name: "Klaster", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // Only for the Sparkplug decoder comparison; the product does not depend on it.
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        benchmarkTarget("RingBenchmarks", ["KlasterCore", "KlasterIngest"]),
        benchmarkTarget("AggregateBenchmarks", ["KlasterCore"]),
        benchmarkTarget("ParseBenchmarks", ["KlasterCore"]),
        .executableTarget(
            name: "SparkplugBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KlasterCore", package: "Klaster"),
                .product(name: "KlasterSparkplug", package: "Klaster"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Benchmarks/SparkplugBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
