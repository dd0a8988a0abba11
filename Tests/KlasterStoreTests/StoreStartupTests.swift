import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Synchronization
import Testing

/// What the opening threads share with the test.
private final class OpenFailures: Sendable {
    let messages = Mutex<[String]>([])
    let finished = Atomic<Int>(0)
}

/// A writer's start-up waits for other processes' locks like its commits do.
@Suite struct StoreStartupTests {
    /// Two processes opening a new file at once: the journal-mode switch
    /// waited for nobody and failed with "database is busy".
    @Test func simultaneousOpensOfANewFileBothSucceed() throws {
        let dir = try TemporaryDirectory(prefix: "lock")
        for round in 0..<20 {
            let path = dir.file("new-\(round).db")
            let shared = OpenFailures()
            for _ in 0..<2 {
                Thread {
                    do throws(KlasterError) {
                        _ = try SQLiteStore(path: path, durability: .process)
                    } catch {
                        shared.messages.withLock { $0.append(error.description) }
                    }
                    // Releasing / acquiring (C++ release/acquire): a thread's failure is
                    // recorded before its count, so the test sees it once it sees the count.
                    shared.finished.add(1, ordering: .releasing)
                }.start()
            }
            #expect(waitUntil(timeout: .seconds(30)) { shared.finished.load(ordering: .acquiring) == 2 })
            #expect(shared.messages.withLock { $0 } == [])
        }
    }
}
