import KlasterCore
import KlasterTestSupport
import Testing

/// Key of a merged bucket in the tests.
struct BucketKey: Hashable, CustomStringConvertible {
    var series: SeriesID
    var width: BucketWidth
    var start: EpochMillis
    var description: String { "s\(series)/\(width)/\(start)" }
}

/// Merges the bucket partials of batches the way the store upserts them.
func mergeBuckets(_ batches: [Batch]) -> [BucketKey: BucketRow] {
    var out: [BucketKey: BucketRow] = [:]
    for b in batches {
        for row in b.buckets {
            let k = BucketKey(series: row.series, width: row.width, start: row.start)
            if out[k] == nil { out[k] = row } else { out[k]!.merge(row) }
        }
    }
    return out
}

/// Fixtures of the worked examples: 2026-01-01T00:00:00Z and a few series.
enum Fixture {
    static let t0: EpochMillis = 1_767_225_600_000
    static let minute: EpochMillis = 60_000
    static let lateness: EpochMillis = 5 * 60_000

    /// A counter with rollover R = 1 000 000 and max rate 6 000 kWh/h (100 per minute).
    static let energy = SeriesInfo(id: 1, key: "pp/m1/active_energy_kwh", plant: "pp", quantity: "active_energy_kwh", kind: .counter, unit: "kWh")
    /// A counter without rollover or max rate.
    static let gas = SeriesInfo(id: 2, key: "pp/m1/gas_volume_nm3", plant: "pp", quantity: "gas_volume_nm3", kind: .counter, unit: "Nm³")
    /// A gauge.
    static let power = SeriesInfo(id: 3, key: "pp/m1/active_power_kw", plant: "pp", quantity: "active_power_kw", kind: .gauge, unit: "kW")

    static let quantities = QuantityTable(overrides: [
        "active_energy_kwh": QuantitySpec(kind: .counter, unit: "kWh", rollover: 1_000_000, maxRate: 6_000),
    ])

    static func aggregator(widths: [BucketWidth] = BucketWidth.defaults) -> Aggregator {
        let a = Aggregator(widths: widths, allowedLateness: lateness, quantities: quantities)
        a.register(energy)
        a.register(gas)
        a.register(power)
        return a
    }

    static func at(minutes m: Double) -> EpochMillis { t0 + EpochMillis(m * 60_000) }
}

@Suite("Aggregator: worked examples")
struct AggregatorTests {
    typealias F = Fixture

    func bucket(_ rows: [BucketKey: BucketRow], _ s: SeriesInfo, _ w: BucketWidth, _ start: EpochMillis) -> BucketRow? {
        rows[BucketKey(series: s.id, width: w, start: start)]
    }

    @Test func counterRollsOverAtConfiguredR() throws {
        let a = F.aggregator()
        a.add(Reading(series: 1, ts: F.at(minutes: 0), value: 999_990))
        a.add(Reading(series: 1, ts: F.at(minutes: 1), value: 999_995))
        a.add(Reading(series: 1, ts: F.at(minutes: 2), value: 7))  // wrapped: 7 + 1e6 − 999 995 = 12
        let rows = mergeBuckets([a.takeBatch(lastMessageSeq: 3)])
        #expect(bucket(rows, F.energy, .minute, F.at(minutes: 0))?.delta == 0)
        #expect(bucket(rows, F.energy, .minute, F.at(minutes: 1))?.delta == 5)
        #expect(bucket(rows, F.energy, .minute, F.at(minutes: 2))?.delta == 12)
        let hour = try #require(bucket(rows, F.energy, .hour, F.t0))
        #expect(hour.delta == 17)
        #expect(hour.count == 3)
        #expect(hour.min == 7)
        #expect(hour.max == 999_995)
        #expect(hour.first == 999_990)
        #expect(hour.last == 7)
        #expect(hour.sum == 999_990 + 999_995 + 7)
        #expect(hour.implausible == 0)
    }

    @Test func meterReplacementResetsTheCounter() throws {
        let a = F.aggregator()
        // Gas has no rollover: a drop is a reset, the increase is the new value.
        a.add(Reading(series: 2, ts: F.at(minutes: 0), value: 5_000))
        a.add(Reading(series: 2, ts: F.at(minutes: 1), value: 5_010))
        a.add(Reading(series: 2, ts: F.at(minutes: 2), value: 3))
        // Energy has R = 1e6, but 500 000 ≤ 0.9·R: also a reset, not a wrap.
        a.add(Reading(series: 1, ts: F.at(minutes: 0), value: 500_000))
        a.add(Reading(series: 1, ts: F.at(minutes: 1), value: 40))
        let rows = mergeBuckets([a.takeBatch(lastMessageSeq: 1)])
        #expect(bucket(rows, F.gas, .minute, F.at(minutes: 2))?.delta == 3)
        #expect(bucket(rows, F.gas, .hour, F.t0)?.delta == 13)
        #expect(bucket(rows, F.energy, .minute, F.at(minutes: 1))?.delta == 40)
    }

    @Test func implausibleJumpIsNotAdded() throws {
        let a = F.aggregator()
        // max rate 6 000 kWh/h = 100 kWh per minute.
        a.add(Reading(series: 1, ts: F.at(minutes: 0), value: 100))
        a.add(Reading(series: 1, ts: F.at(minutes: 1), value: 105))
        a.add(Reading(series: 1, ts: F.at(minutes: 2), value: 1_105))  // +1000 in a minute
        a.add(Reading(series: 1, ts: F.at(minutes: 3), value: 1_110))
        let batch = a.takeBatch(lastMessageSeq: 1)
        let rows = mergeBuckets([batch])
        let jump = try #require(bucket(rows, F.energy, .minute, F.at(minutes: 2)))
        #expect(jump.delta == 0)
        #expect(jump.implausible == 1)
        #expect(jump.count == 1)
        #expect(bucket(rows, F.energy, .hour, F.t0)?.delta == 10)
        #expect(bucket(rows, F.energy, .hour, F.t0)?.implausible == 1)
        #expect(batch.counters.implausible == 1)
    }

    @Test func duplicateIsCountedAndTheFirstWins() throws {
        let a = F.aggregator()
        #expect(a.add(Reading(series: 3, ts: F.at(minutes: 0), value: 10)) == .accepted)
        #expect(a.add(Reading(series: 3, ts: F.at(minutes: 1), value: 20)) == .accepted)
        #expect(a.add(Reading(series: 3, ts: F.at(minutes: 0), value: 99)) == .duplicate)
        #expect(a.add(Reading(series: 3, ts: F.at(minutes: 1), value: 20)) == .duplicate)
        let batch = a.takeBatch(lastMessageSeq: 1)
        let hour = try #require(mergeBuckets([batch])[BucketKey(series: 3, width: .hour, start: F.t0)])
        #expect(hour.count == 2)
        #expect(hour.sum == 30)
        #expect(hour.first == 10)
        #expect(batch.counters.duplicates == 2)
        #expect(batch.counters.readings == 2)
        #expect(batch.readings.map(\.value) == [10, 20])
    }

    @Test func fourMinutesLateIsFoldedInSixMinutesLateIsNot() throws {
        let a = F.aggregator()
        a.add(Reading(series: 2, ts: F.at(minutes: 0), value: 100))
        a.add(Reading(series: 2, ts: F.at(minutes: 2), value: 110))
        a.add(Reading(series: 2, ts: F.at(minutes: 10), value: 150))
        let first = a.takeBatch(lastMessageSeq: 1)
        // Before the late ones: the increase 40 sits in the 00:10 minute.
        #expect(mergeBuckets([first])[BucketKey(series: 2, width: .minute, start: F.at(minutes: 10))]?.delta == 40)

        // 4 minutes behind the newest (00:10): inside the 5-minute lateness.
        #expect(a.add(Reading(series: 2, ts: F.at(minutes: 6), value: 130)) == .accepted)
        // 6 minutes behind: late.
        #expect(a.add(Reading(series: 2, ts: F.at(minutes: 4), value: 120)) == .late)
        let second = a.takeBatch(lastMessageSeq: 2)
        #expect(second.counters.late == 1)
        #expect(second.readings.map(\.ts) == [F.at(minutes: 6)])
        #expect(second.lateReadings.map(\.ts) == [F.at(minutes: 4)])
        // The correction: −40 + 20 in 00:10 (a delta-only row), +20 in 00:06.
        let correction = try #require(second.buckets.first { $0.width == .minute && $0.start == F.at(minutes: 10) })
        #expect(correction.count == 0)
        #expect(correction.delta == -20)

        let rows = mergeBuckets([first, second])
        // In order it would be 0, 10 (00:02), 20 (00:06), 20 (00:10).
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 2))]?.delta == 10)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 6))]?.delta == 20)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 6))]?.count == 1)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 10))]?.delta == 20)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 10))]?.count == 1)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 4))] == nil)
        let quarter = try #require(rows[BucketKey(series: 2, width: .quarterHour, start: F.t0)])
        #expect(quarter.count == 4)
        #expect(quarter.delta == 50)
        #expect(quarter.sum == 490)
    }

    @Test func increaseCrossingABucketEdgeBelongsToTheLaterReading() throws {
        let a = F.aggregator()
        a.add(Reading(series: 2, ts: F.at(minutes: 14.5), value: 100))
        a.add(Reading(series: 2, ts: F.at(minutes: 15.5), value: 160))
        let rows = mergeBuckets([a.takeBatch(lastMessageSeq: 1)])
        #expect(rows[BucketKey(series: 2, width: .quarterHour, start: F.t0)]?.delta == 0)
        #expect(rows[BucketKey(series: 2, width: .quarterHour, start: F.at(minutes: 15))]?.delta == 60)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 15))]?.delta == 60)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 14))]?.delta == 0)
        #expect(rows[BucketKey(series: 2, width: .hour, start: F.t0)]?.delta == 60)
        #expect(rows[BucketKey(series: 2, width: .day, start: F.t0)]?.delta == 60)
    }

    @Test func badQualityIsStoredRawButNeverAggregated() throws {
        let a = F.aggregator()
        #expect(a.add(Reading(series: 2, ts: F.at(minutes: 0), value: 100)) == .accepted)
        #expect(a.add(Reading(series: 2, ts: F.at(minutes: 1), value: 5_000, quality: .bad)) == .rawOnly)
        #expect(a.add(Reading(series: 2, ts: F.at(minutes: 2), value: 110)) == .accepted)
        // Same (series, ts) as the bad one: a duplicate, not a second chance.
        #expect(a.add(Reading(series: 2, ts: F.at(minutes: 1), value: 105)) == .duplicate)
        let batch = a.takeBatch(lastMessageSeq: 1)
        #expect(batch.readings.count == 3)
        #expect(batch.readings[1].quality == .bad)
        let rows = mergeBuckets([batch])
        let hour = try #require(rows[BucketKey(series: 2, width: .hour, start: F.t0)])
        #expect(hour.count == 2)
        #expect(hour.max == 110)
        #expect(hour.delta == 10)  // 100 → 110, the bad 5 000 is not a neighbour
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.at(minutes: 1))] == nil)
    }

    @Test func gaugesHaveNoDelta() throws {
        let a = F.aggregator()
        a.add(Reading(series: 3, ts: F.at(minutes: 0), value: 10))
        a.add(Reading(series: 3, ts: F.at(minutes: 0.5), value: 30))
        a.add(Reading(series: 3, ts: F.at(minutes: 1), value: 5))
        let rows = mergeBuckets([a.takeBatch(lastMessageSeq: 1)])
        #expect(rows.count == 5)  // two 1m buckets, one each of 15m, 1h, 1d
        #expect(rows.values.allSatisfy { $0.delta == nil })
        let minute = try #require(rows[BucketKey(series: 3, width: .minute, start: F.t0)])
        #expect(minute.mean == 20)
        #expect(minute.first == 10 && minute.last == 30)
        #expect(rows[BucketKey(series: 3, width: .hour, start: F.t0)]?.mean == 15)
    }

    @Test func widthsThatAreNotMultiplesOfTheFinestAreAggregatedDirectly() throws {
        let ninety = BucketWidth(millis: 90_000)
        let a = F.aggregator(widths: [.quarterHour, ninety, .minute])
        a.add(Reading(series: 2, ts: F.t0, value: 10))
        a.add(Reading(series: 2, ts: F.t0 + 70_000, value: 15))
        a.add(Reading(series: 2, ts: F.t0 + 100_000, value: 30))
        let rows = mergeBuckets([a.takeBatch(lastMessageSeq: 1)])
        #expect(rows[BucketKey(series: 2, width: ninety, start: F.t0)]?.count == 2)
        #expect(rows[BucketKey(series: 2, width: ninety, start: F.t0)]?.delta == 5)
        #expect(rows[BucketKey(series: 2, width: ninety, start: F.t0 + 90_000)]?.count == 1)
        #expect(rows[BucketKey(series: 2, width: ninety, start: F.t0 + 90_000)]?.delta == 15)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.t0 + 60_000)]?.count == 2)
        #expect(rows[BucketKey(series: 2, width: .minute, start: F.t0 + 60_000)]?.delta == 20)
        let quarter = try #require(rows[BucketKey(series: 2, width: .quarterHour, start: F.t0)])
        #expect(quarter.count == 3 && quarter.delta == 20 && quarter.first == 10 && quarter.last == 30)
        #expect(rows.count == 5)
    }

    @Test func batchCarriesNewSeriesDeadLettersAndCountersOnce() {
        let a = F.aggregator()
        a.noteMessage()
        a.add(Reading(series: 3, ts: F.t0, value: 1))
        a.addDeadLetter(DeadLetter(topic: "nextgen/x", payload: Array("{".utf8), receivedAt: F.t0, reason: .malformedJSON, detail: "truncated"))
        let first = a.takeBatch(lastMessageSeq: 7)
        #expect(first.lastMessageSeq == 7)
        #expect(first.newSeries.map(\.id) == [1, 2, 3])
        #expect(first.counters.messages == 1)
        #expect(first.counters.deadLetters == [.malformedJSON: 1])
        #expect(first.deadLetters.count == 1)
        a.register(Fixture.power)  // known: not announced again
        let second = a.takeBatch(lastMessageSeq: 7)
        #expect(second.isEmpty)
    }

    @Test func finalisingHandsOutABucketOnceTheLatenessHasPassed() {
        let a = Aggregator(widths: [.minute, .quarterHour], allowedLateness: F.lateness, quantities: F.quantities, finalizing: true)
        a.register(F.power)
        a.add(Reading(series: 3, ts: F.at(minutes: 0), value: 1))
        a.add(Reading(series: 3, ts: F.at(minutes: 0.5), value: 2))
        a.add(Reading(series: 3, ts: F.at(minutes: 5.5), value: 3))
        // A reading at 00:00:30 would still be in time: nothing is final.
        let first = a.takeBatch(lastMessageSeq: 1)
        #expect(first.buckets.isEmpty && first.frontiers.isEmpty)
        #expect(a.openFrom == F.t0)
        // Newest 00:06 = 00:00 + 1m + 5m: nothing can reach the 00:00 minute any more.
        a.add(Reading(series: 3, ts: F.at(minutes: 6), value: 3))
        let second = a.takeBatch(lastMessageSeq: 2)
        let minute0 = BucketRow(series: 3, width: .minute, start: F.t0, count: 2, sum: 3, min: 1, max: 2,
                                firstTs: F.t0, first: 1, lastTs: F.at(minutes: 0.5), last: 2, delta: nil)
        var quarter0 = minute0
        quarter0.width = .quarterHour
        #expect(second.buckets == [minute0, quarter0])
        #expect(second.frontiers == [SeriesFrontier(series: 3, finalUntil: F.at(minutes: 1),
                                                    anchor: SeriesFrontier.Anchor(ts: F.at(minutes: 0.5), value: 2))])
        #expect(second.openFrom == F.at(minutes: 5))
        // Older than the frontier: late, stored raw and flagged.
        #expect(a.add(Reading(series: 3, ts: F.at(minutes: 0.75), value: 9)) == .late)
        #expect(a.takeBatch(lastMessageSeq: 3).lateReadings.map(\.ts) == [F.at(minutes: 0.75)])
    }

    /// Final rows (however the batches fell) plus the open buckets equal the
    /// non-finalising result: finalising only changes *when* a row is written.
    @Test func finalRowsPlusOpenBucketsAreThePartialsResult() {
        var rng = SplitMix64(seed: 42)
        var rs: [Reading] = []
        for i in 0..<600 {
            let jitter = Int64(rng.next() % 90_000)   // up to 1.5 min out of order
            rs.append(Reading(series: 1, ts: F.t0 + Int64(i) * 20_000 + jitter, value: Double(i * 7)))
            rs.append(Reading(series: 3, ts: F.t0 + Int64(i) * 20_000 + jitter / 2, value: Double(i % 13)))
        }
        let plain = F.aggregator()
        let fin = Aggregator(widths: BucketWidth.defaults, allowedLateness: F.lateness, quantities: F.quantities, finalizing: true)
        for s in [F.energy, F.gas, F.power] { fin.register(s) }
        var finalBatches: [Batch] = []
        for (i, r) in rs.enumerated() {
            plain.add(r)
            fin.add(r)
            if i % 37 == 0 { finalBatches.append(fin.takeBatch(lastMessageSeq: UInt64(i))) }
        }
        let whole = mergeBuckets([plain.takeBatch(lastMessageSeq: 1)])
        finalBatches.append(fin.takeBatch(lastMessageSeq: 9))
        // Force the rest out: every series idle.
        fin.setClock(.max / 2)
        fin.finalizeIdle(idleAfter: 0)
        finalBatches.append(fin.takeBatch(lastMessageSeq: 10))
        #expect(fin.openFrom == nil)
        #expect(mergeBuckets(finalBatches) == whole)
        #expect(finalBatches.flatMap(\.frontiers).count > 10)
    }
}
