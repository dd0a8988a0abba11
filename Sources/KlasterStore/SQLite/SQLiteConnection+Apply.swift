import KlasterCore

extension SQLiteConnection {
    /// See `StoreWriter.apply(_:)`.
    func apply(_ batch: Batch) throws(KlasterError) -> UInt64 {
        let w = try writer()
        let (insertSeries, selectSeriesID, insertReading) = (w.insertSeries, w.selectSeriesID, w.insertReading)
        let (insertDeadLetter, addCounter, maxCounter) = (w.insertDeadLetter, w.addCounter, w.maxCounter)
        let (setFrontier, setCounter, deleteCounter) = (w.setFrontier, w.setCounter, w.deleteCounter)
        var newIDs: [SeriesID: SeriesID] = [:]

        try db.transaction { () throws(KlasterError) in
            for s in batch.newSeries {
                try insertSeries.run { st in
                    st.bind(1, s.key); st.bind(2, s.plant); st.bind(3, s.quantity)
                    st.bind(4, s.kind.rawValue); st.bind(5, s.unit)
                }
                selectSeriesID.reset()
                selectSeriesID.bind(1, s.key)
                guard try selectSeriesID.step() else {
                    throw KlasterError(.software, "series \(s.key) vanished after insert")
                }
                newIDs[s.id] = SeriesID(truncatingIfNeeded: selectSeriesID.int64(0))
                selectSeriesID.reset()
            }
            @inline(__always) func dbID(_ local: SeriesID) -> Int64 {
                Int64(newIDs[local] ?? uncommittedIDMap[local] ?? idMap[local] ?? local)
            }

            func insert(_ readings: [Reading], late: Int64) throws(KlasterError) -> Int64 {
                var inserted: Int64 = 0
                for r in readings {
                    try insertReading.run { st in
                        st.bind(1, r.ts); st.bind(2, dbID(r.series)); st.bind(3, r.value)
                        st.bind(4, r.seq.map { Int64(bitPattern: $0) }); st.bind(5, Int64(r.quality.rawValue)); st.bind(6, late)
                    }
                    inserted += Int64(db.changes)
                }
                return inserted
            }
            let insertedOnTime = try insert(batch.readings, late: 0)
            let insertedLate = try insert(batch.lateReadings, late: 1)

            for b in batch.buckets {
                try Self.bindBucket(try upsert(for: b.width), b, id: dbID(b.series))
            }
            for f in batch.frontiers {
                try setFrontier.run { st in
                    st.bind(1, dbID(f.series)); st.bind(2, f.finalUntil); st.bind(3, f.anchor?.ts); st.bind(4, f.anchor?.value)
                }
            }
            if let openFrom = batch.openFrom {
                try setCounter.run { st in st.bind(1, "open_from"); st.bind(2, openFrom) }
            } else {
                try deleteCounter.run { st in st.bind(1, "open_from") }
            }

            for d in batch.deadLetters {
                try insertDeadLetter.run { st in
                    st.bind(1, d.topic); st.bind(2, blob: d.payload); st.bind(3, d.receivedAt)
                    st.bind(4, d.reason.rawValue); st.bind(5, d.detail)
                }
            }

            if !batch.staleMarks.isEmpty {
                let mark = try db.prepare("INSERT INTO series_stale (series, since) VALUES (?1, ?2) ON CONFLICT (series) DO NOTHING")
                let clear = try db.prepare("DELETE FROM series_stale WHERE series = ?1")
                for m in batch.staleMarks {
                    let st = m.stale ? mark : clear
                    st.reset()
                    st.bind(1, dbID(m.series))
                    if m.stale { st.bind(2, m.at) }
                    _ = try st.step()
                }
                mark.reset()
                clear.reset()
            }

            let c = batch.counters
            // A reading whose (series, ts) is already stored (redelivery after a
            // restart, an overlapping import) is a duplicate too: the first one
            // stored wins. Such a reading is usually one the aggregator called
            // late (its dedupe covers the open window): count it as a duplicate,
            // not late, so `late` counts readings that `db rebuild` would fold in.
            let inserted = insertedOnTime + insertedLate
            let lateDuplicates = Int64(batch.lateReadings.count) - insertedLate
            let ignored = Int64(batch.readings.count + batch.lateReadings.count) - inserted
            var adds: [(String, Int64)] = [
                ("messages", c.messages), ("readings", inserted), ("accepted", c.readings),
                ("duplicates", c.duplicates + ignored), ("late", c.late - lateDuplicates), ("implausible", c.implausible),
            ]
            for (reason, n) in c.deadLetters { adds.append(("deadletter:\(reason.rawValue)", n)) }
            for (name, n) in adds where n != 0 {
                try addCounter.run { st in st.bind(1, name); st.bind(2, n) }
            }
            try maxCounter.run { st in st.bind(1, "committed_seq"); st.bind(2, Int64(clamping: batch.lastMessageSeq)) }
        }
        // Kept aside until the enclosing transaction commits (`commitIDMappings`).
        for (local, id) in newIDs { uncommittedIDMap[local] = id }
        return batch.lastMessageSeq
    }
}
