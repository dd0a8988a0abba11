import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport

/// The two backends every behavioural store test runs on.
typealias Backend = StoreBackend

/// A fresh, empty store of one backend, and how to open another connection to it.
struct StoreFixture {
    let store: any Store
    /// Keeps the temporary directory (SQLite) alive as long as the fixture.
    let directory: TemporaryDirectory?
    private let reopenBody: @Sendable (Bool) throws -> any Store

    init(_ backend: Backend, widths: [BucketWidth] = BucketWidth.defaults, quantities: QuantityTable = QuantityTable()) throws {
        switch backend {
        case .sqlite:
            let dir = try TemporaryDirectory(prefix: "store")
            let path = dir.file("k.db")
            directory = dir
            store = try SQLiteStore(path: path, durability: .process, widths: widths, quantities: quantities)
            reopenBody = { create in try SQLiteStore(path: path, durability: .process, create: create, widths: widths, quantities: quantities) }
        case .postgres:
            let url = try PostgresServer.shared().createDatabase(prefix: "store")
            directory = nil
            setenv("KLASTER_PG_PASSWORD", PostgresServer.password, 1)
            store = try PostgresStore(url: url, passwordFile: nil, widths: widths, quantities: quantities)
            reopenBody = { create in try PostgresStore(url: url, passwordFile: nil, create: create, widths: widths, quantities: quantities) }
        }
    }

    /// Another connection to the same database (another process's view).
    func reopen(create: Bool = true) throws -> any Store { try reopenBody(create) }
}

/// A fresh database file in its own temporary directory.
func freshStore(_ name: String = "k.db", widths: [BucketWidth] = BucketWidth.defaults,
                quantities: QuantityTable = QuantityTable()) throws -> (SQLiteStore, TemporaryDirectory) {
    let dir = try TemporaryDirectory(prefix: "store")
    return (try SQLiteStore(path: dir.file(name), durability: .process, widths: widths, quantities: quantities), dir)
}

let energy = SeriesInfo(id: 1, key: "socar-polymer/m1/active_energy_kwh", plant: "socar-polymer", quantity: "active_energy_kwh", kind: .counter, unit: "kWh")
let power = SeriesInfo(id: 2, key: "socar-polymer/m1/active_power_kw", plant: "socar-polymer", quantity: "active_power_kw", kind: .gauge, unit: "kW")

/// Runs readings through a finalising `Aggregator` restored from the store (as
/// ingest and import do) and applies one batch per `chunk` readings.
func ingest(_ store: any Store, series: [SeriesInfo], readings: [Reading], chunk: Int = 1_000,
            quantities: QuantityTable = QuantityTable(), lateness: Int64 = 300_000) throws {
    let agg = Aggregator(widths: BucketWidth.defaults, allowedLateness: lateness, quantities: quantities, finalizing: true)
    let state = try store.ingestRestoreState()
    agg.restore(series: state.series, frontiers: state.frontiers, open: state.open)
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

/// Every raw reading the store holds, late ones too, in ts order.
func allReadings(_ store: any Store) throws -> [Reading] {
    try store.read { (db: any StoreReader) throws(KlasterError) -> [Reading] in
        var out: [Reading] = []
        try db.forEachReading(from: .min, to: .max, includeLate: true) { out.append($0) }
        return out
    }
}

let t0: EpochMillis = 1_767_225_600_000  // 2026-01-01T00:00:00Z
