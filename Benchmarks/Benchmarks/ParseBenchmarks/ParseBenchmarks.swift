// Payload parsing benchmarks (issue 2): compact JSON and line-protocol readings
// per second on one core, and Foundation's JSONDecoder on the same JSON for
// comparison. Every benchmark parses 1000 distinct messages over 400 series
// (topics seen before: the steady state of a running daemon) per scaled
// iteration block, so throughput is messages/s = readings/s.
//
//   cd Benchmarks && swift package benchmark --target ParseBenchmarks
import Benchmark
import Foundation
import KlasterCore

private let receivedAt: EpochMillis = 1_772_366_400_000
private let count = 1000

/// `{"ts":…,"v":…,"seq":…}` as meters send it, on `nextgen/{plant}/{meter}/{quantity}`.
private let jsonPayloads: [[UInt8]] = (0 ..< count).map { k in
    Array("{\"ts\":\(receivedAt - Int64(k) * 1000),\"v\":\(Double(k) * 12.25 + 1000.125),\"seq\":\(k)}".utf8)
}
private let topics: [[UInt8]] = (0 ..< count).map { k in
    Array("nextgen/plant\(k % 4)/meter\(k % 100)/\(k % 2 == 0 ? "active_power_kw" : "active_energy_kwh")".utf8)
}
/// The same readings as line protocol (ns timestamps, one field per line).
private let lineProtocolPayloads: [[UInt8]] = (0 ..< count).map { k in
    Array("energy,plant=plant\(k % 4),meter=meter\(k % 100) \(k % 2 == 0 ? "active_power_kw" : "active_energy_kwh")=\(Double(k) * 12.25 + 1000.125) \((receivedAt - Int64(k) * 1000) * 1_000_000)".utf8)
}
/// One message carrying 100 readings as a JSON array.
private let jsonArrayPayload: [UInt8] = Array(("[" + (0 ..< 100).map { k in
    "{\"ts\":\(receivedAt - Int64(k) * 1000),\"v\":\(Double(k) * 12.25 + 1000.125),\"seq\":\(k)}"
}.joined(separator: ",") + "]").utf8)

private struct DecodedReading: Decodable {
    var ts: Int64
    var v: Double
    var seq: UInt64?
    var q: String?
}

/// A resolver that has seen every topic/series of the benchmark once.
private func warmResolver() -> SeriesResolver {
    let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
    for t in topics { _ = t.withUnsafeBytes { resolver.resolve(topic: $0) } }
    for k in 0 ..< count {
        _ = resolver.resolve(plant: "plant\(k % 4)", meter: "meter\(k % 100)", quantity: k % 2 == 0 ? "active_power_kw" : "active_energy_kwh")
    }
    _ = resolver.takeNewSeries()
    return resolver
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )

    Benchmark("parse compact JSON, 1 reading/message") { benchmark in
        let resolver = warmResolver()
        let parser = PayloadParser()
        var sum = 0.0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let k = i % count
            let outcome = jsonPayloads[k].withUnsafeBytes { p in
                topics[k].withUnsafeBytes { t in
                    parser.parse(payload: p, topic: t, receivedAt: receivedAt, resolver: resolver) { sum += $0.value }
                }
            }
            precondition(outcome.readings == 1)
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }

    Benchmark("parse line protocol, 1 reading/message") { benchmark in
        let resolver = warmResolver()
        let parser = PayloadParser()
        var sum = 0.0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let k = i % count
            let outcome = lineProtocolPayloads[k].withUnsafeBytes { p in
                topics[k].withUnsafeBytes { t in
                    parser.parse(payload: p, topic: t, receivedAt: receivedAt, resolver: resolver) { sum += $0.value }
                }
            }
            precondition(outcome.readings == 1)
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }

    Benchmark("parse JSON array, 100 readings/message (x10 messages)") { benchmark in
        let resolver = warmResolver()
        let parser = PayloadParser()
        var sum = 0.0
        benchmark.startMeasurement()
        // 1000 scaled iterations = 10 messages of 100 readings: throughput is readings/s.
        for _ in 0 ..< benchmark.scaledIterations.count / 100 {
            let outcome = jsonArrayPayload.withUnsafeBytes { p in
                topics[0].withUnsafeBytes { t in
                    parser.parse(payload: p, topic: t, receivedAt: receivedAt, resolver: resolver) { sum += $0.value }
                }
            }
            precondition(outcome.readings == 100)
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }

    Benchmark("Foundation JSONDecoder, compact JSON, 1 reading/message (comparison)") { benchmark in
        let resolver = warmResolver()
        let decoder = JSONDecoder()
        var sum = 0.0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let k = i % count
            let reading = try decoder.decode(DecodedReading.self, from: Data(jsonPayloads[k]))
            let series = topics[k].withUnsafeBytes { resolver.resolve(topic: $0) }
            precondition(series != nil && reading.v.isFinite)
            sum += reading.v
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }
}
