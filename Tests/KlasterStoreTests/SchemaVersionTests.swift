import Foundation
import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

/// A hand-edited `meta.schema_version` below 1 used to crash every command
/// (an array index in `Migrations.migrate`); it is a data error now.
@Test(arguments: ["-5", "0"])
func schemaVersionBelowOneIsADataError(version: String) throws {
    let dir = try TemporaryDirectory(prefix: "schema")
    let path = dir.file("k.db")
    _ = try SQLiteStore(path: path, durability: .process)
    let db = try Database(path: path, create: false)
    try db.execute("UPDATE meta SET value = '\(version)' WHERE key = 'schema_version'")
    #expect {
        _ = try SQLiteStore(path: path, durability: .process)
    } throws: { e in
        e as? KlasterError == KlasterError(
            .dataError, "\(path) has schema version \(version), which no klaster writes",
            hint: "restore the database from a backup, or set meta.schema_version back to its real version")
    }
}

@Test func schemaVersionThatIsNoNumberIsNotAKlasterDatabase() throws {
    let dir = try TemporaryDirectory(prefix: "schema")
    let path = dir.file("k.db")
    _ = try SQLiteStore(path: path, durability: .process)
    let db = try Database(path: path, create: false)
    try db.execute("UPDATE meta SET value = 'two' WHERE key = 'schema_version'")
    #expect {
        _ = try SQLiteStore(path: path, durability: .process)
    } throws: { e in
        (e as? KlasterError)?.code == .dataError && (e as? KlasterError)?.message == "\(path) is an SQLite database but not a Klaster database"
    }
}
