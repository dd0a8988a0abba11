// Sparkplug B decoding (issue 11): a DDATA of 20 metrics (alias, timestamp,
// Double value — what an edge node sends every cycle), decoded by
//   - Klaster's hand-written zero-copy scanner (the ingest hot path),
//   - the same bytes into owned Swift values (`SparkplugPayload(decoding:)`),
//   - swift-protobuf 1.39's generated decoder (code in Generated/, `make sparkplug-proto`),
//   - the whole host path: topic, seq, alias → series, reading (`SparkplugHost.receive`).
// Throughput is messages/s; ×20 for metrics/s. mallocCountTotal / iterations = mallocs per message.
//
//   cd Benchmarks && swift package benchmark --target SparkplugBenchmarks
import Benchmark
import KlasterCore
import KlasterSparkplug
import SwiftProtobuf

private let t0: UInt64 = 1_772_366_400_000
private let count = 256
private let metricsPerMessage = 20

/// 256 DDATA payloads (seq 0…255) of 20 metrics each.
private let payloads: [[UInt8]] = (0 ..< count).map(ddata)

private func ddata(_ k: Int) -> [UInt8] {
    let ts: UInt64 = t0 + UInt64(k) * 1000
    var metrics: [SparkplugMetric] = []
    for a in 0 ..< metricsPerMessage {
        let v: Double = Double(k) * 12.25 + Double(a)
        metrics.append(SparkplugMetric(alias: UInt64(a + 1), timestamp: ts, value: .double(v)))
    }
    return SparkplugPayload(timestamp: ts, metrics: metrics, seq: UInt64(k)).encoded()
}
private let topic = Array("spBv1.0/socar-karbamid/DDATA/reformer/gas-inlet".utf8)

private func birthedHost() -> SparkplugHost {
    let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: [])
    let host = SparkplugHost(resolver: resolver, options: SparkplugHost.Options())
    var out = SparkplugHost.Output()
    let nbirth = SparkplugPayload(timestamp: t0, metrics: [SparkplugMetric(name: "bdSeq", datatype: .int64, value: .long(0))], seq: 255)
    _ = host.receive(topic: "spBv1.0/socar-karbamid/NBIRTH/reformer", payload: nbirth.encoded(), receivedAt: EpochMillis(t0), into: &out)
    let dbirth = SparkplugPayload(timestamp: t0, metrics: (0 ..< metricsPerMessage).map { a in
        SparkplugMetric(name: "Metric \(a)", alias: UInt64(a + 1), datatype: .double, value: .double(0))
    }, seq: 0)
    _ = host.receive(topic: "spBv1.0/socar-karbamid/DBIRTH/reformer/gas-inlet", payload: dbirth.encoded(),
                     receivedAt: EpochMillis(t0), into: &out)
    return host
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )

    Benchmark("DDATA x20: Klaster zero-copy scanner") { benchmark in
        var sum = 0.0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            payloads[i % count].withUnsafeBytes { p in
                try! SparkplugScanner.forEachMetric(p) { m in
                    if case .double(let v) = m.value { sum += v }
                }
            }
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }

    Benchmark("DDATA x20: Klaster into owned values") { benchmark in
        var sum = 0.0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let p = try! SparkplugPayload(decoding: payloads[i % count])
            for m in p.metrics { if case .double(let v)? = m.value { sum += v } }
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }

    Benchmark("DDATA x20: swift-protobuf generated") { benchmark in
        var sum = 0.0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let p = try! Org_Eclipse_Tahu_Protobuf_Payload(serializedBytes: payloads[i % count])
            for m in p.metrics { sum += m.doubleValue }
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }

    Benchmark("DDATA x20: SparkplugHost.receive (topic, seq, alias, readings)") { benchmark in
        let host = birthedHost()
        var out = SparkplugHost.Output()
        out.readings.reserveCapacity(64)
        var sum = 0.0
        var seq = 1
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let rejection = payloads[seq].withUnsafeBytes { p in
                topic.withUnsafeBytes { t in host.receive(topic: t, payload: p, receivedAt: EpochMillis(t0), into: &out) }
            }
            precondition(rejection == nil && out.readings.count == metricsPerMessage)
            sum += out.readings[0].value
            out.removeAll()
            seq = (seq + 1) % count
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }
}
