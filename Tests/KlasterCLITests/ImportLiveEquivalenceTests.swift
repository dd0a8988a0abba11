import Foundation
import KlasterCore
import KlasterStore
import KlasterTestSupport
import Testing

/// A backfill through `klaster import` and the live path (Aggregator → Store.apply,
/// what `klaster ingest`'s sink does) give identical buckets and counters for the
/// same readings in the same (partly out-of-order) arrival order.
@Test func importGivesTheSameBucketsAndCountersAsLiveIngest() throws {
    let dir = try TemporaryDirectory(prefix: "equiv")
    let t0: EpochMillis = 1_767_225_600_000
    let keys = ["p1/m1/active_energy_kwh", "p1/m2/active_power_kw", "p2/m1/gas_volume_nm3"]
    var readings: [(String, EpochMillis, Double)] = []
    for i in 0..<400 {
        for (k, key) in keys.enumerated() {
            readings.append((key, t0 + Int64(i) * 7_000 + Int64(k), Double(i * (k + 1)) + (k == 1 ? Double(i % 13) : 0)))
        }
    }
    // Arrival order: swap neighbours every 5th pair (within the 5 min lateness), repeat a few (duplicates).
    for i in stride(from: 0, to: readings.count - 3, by: 15) { readings.swapAt(i, i + 3) }
    readings += readings[100..<110]
    var csv = "series,ts,value\n"
    for (k, ts, v) in readings { csv += "\(k),\(ts),\(v)\n" }
    let file = try dir.write("r.csv", csv)
    let imported = try KlasterBinary.run(["import", "--db", dir.file("import.db"), "--batch-size", "97", file])
    #expect(imported.status == 0, "\(imported.stderr)")

    let live = try SQLiteStore(path: dir.file("live.db"), durability: .process)
    let q = QuantityTable()
    let agg = Aggregator(widths: BucketWidth.defaults, allowedLateness: 300_000, quantities: q, finalizing: true)
    var ids: [String: SeriesID] = [:]
    var seq: UInt64 = 0
    for (n, (key, ts, v)) in readings.enumerated() {
        if ids[key] == nil {
            let parts = key.split(separator: "/").map(String.init)
            let spec = q.spec(for: parts[2])
            let info = SeriesInfo(id: SeriesID(ids.count + 1), key: key, plant: parts[0], quantity: parts[2], kind: spec.kind, unit: spec.unit)
            ids[key] = info.id
            agg.register(info)
        }
        agg.noteMessage()
        agg.add(Reading(series: ids[key]!, ts: ts, value: v))
        seq += 1
        if n % 61 == 60 { try live.apply(agg.takeBatch(lastMessageSeq: seq)) }
    }
    try live.apply(agg.takeBatch(lastMessageSeq: seq))

    let fromImport = try SQLiteStore(path: dir.file("import.db"), durability: .process, create: false)
    for every: Int64 in [60_000, 900_000, 3_600_000, 86_400_000] {
        func rows(_ s: any Store) throws -> [String] {
            try s.buckets(seriesGlob: ["**"], from: t0, to: t0 + 86_400_000, every: every).map {
                var r = $0.row
                r.series = 0
                return "\($0.series.key) \(r)"
            }
        }
        let a = try rows(fromImport), b = try rows(live)
        #expect(!a.isEmpty)
        #expect(a == b, "width \(every)")
    }
    let sa = try fromImport.stats(), sb = try live.stats()
    #expect(sa.messages == sb.messages && sa.readings == sb.readings && sa.duplicates == sb.duplicates && sa.late == sb.late)
    #expect(sa.duplicates == 10 && sa.readings == 1200)
}
