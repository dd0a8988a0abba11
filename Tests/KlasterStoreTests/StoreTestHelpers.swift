import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport

/// A fresh database file in its own temporary directory.
func freshStore(_ name: String = "k.db", widths: [BucketWidth] = BucketWidth.defaults) throws -> (Store, TemporaryDirectory) {
    let dir = try TemporaryDirectory(prefix: "store")
    return (try Store(path: dir.file(name), durability: .process, widths: widths), dir)
}

let energy = SeriesInfo(id: 1, key: "socar-polymer/m1/active_energy_kwh", plant: "socar-polymer", quantity: "active_energy_kwh", kind: .counter, unit: "kWh")
let power = SeriesInfo(id: 2, key: "socar-polymer/m1/active_power_kw", plant: "socar-polymer", quantity: "active_power_kw", kind: .gauge, unit: "kW")

/// Runs readings through an `Aggregator` (as ingest and import do) and applies
/// one batch per `chunk` readings.
func ingest(_ store: Store, series: [SeriesInfo], readings: [Reading], chunk: Int = 1_000,
            quantities: QuantityTable = QuantityTable(), lateness: Int64 = 300_000) throws {
    let agg = Aggregator(widths: BucketWidth.defaults, allowedLateness: lateness, quantities: quantities)
    for s in series { agg.register(s) }
    var seq: UInt64 = 0
    for part in stride(from: 0, to: readings.count, by: chunk) {
        for r in readings[part..<min(part + chunk, readings.count)] {
            agg.noteMessage()
            agg.add(r)
            seq += 1
        }
        try store.apply(agg.takeBatch(lastMessageSeq: seq))
    }
}

let t0: EpochMillis = 1_767_225_600_000  // 2026-01-01T00:00:00Z
