import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

/// One writer per database file, and a writer that finds out at start.
@Suite struct WriterLockTests {
    @Test func aSecondWriterIsRefusedUntilTheFirstLetsGo() throws {
        let dir = try TemporaryDirectory(prefix: "lock")
        let db = dir.file("k.db")
        var first: WriterLock? = try WriterLock(database: db)
        #expect(first?.path == db + ".lock")
        #expect {
            _ = try WriterLock(database: db)
        } throws: { e in
            e as? KlasterError == KlasterError(.unavailable, "database \(db) is in use by another writer (pid \(getpid()))",
                                              hint: "run one ingest or import per database file; stop the other one first")
        }
        first = nil
        _ = try WriterLock(database: db)
    }
}
