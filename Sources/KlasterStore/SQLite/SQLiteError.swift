import CSQLite
import KlasterCore

/// The one place where SQLite result codes become `KlasterError`s
/// (cf. swift-nio `SystemCallHelpers.swift`): every sqlite3_* call that returns
/// a code goes through `check`.
enum SQLiteError {
    /// Throws unless `rc` is one of the `ok` codes.
    /// - Parameters:
    ///   - rc: The result code of the call.
    ///   - db: The connection, for `sqlite3_errmsg`; `nil` before it is open.
    ///   - what: What was being done, for the message ("opening klaster.db").
    @inline(__always)
    static func check(_ rc: Int32, _ db: OpaquePointer?, _ what: @autoclosure () -> String,
                      ok: Int32 = SQLITE_OK) throws(KlasterError) {
        if rc == ok { return }
        throw error(rc, db, what())
    }

    /// The `KlasterError` for a failed call: the sysexits code matching the
    /// kind of failure, sqlite's own message, and what to do about it.
    static func error(_ rc: Int32, _ db: OpaquePointer?, _ what: String) -> KlasterError {
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
        switch rc & 0xFF {
        case SQLITE_NOTADB:
            return KlasterError(.dataError, "\(what): not a Klaster database (\(message))", hint: "check --db / storage.path")
        case SQLITE_CORRUPT:
            return KlasterError(.dataError, "\(what): the database is corrupt (\(message))", hint: "restore it from a backup; `sqlite3 FILE .recover` may save the rows")
        case SQLITE_CANTOPEN:
            return KlasterError(.noInput, "\(what): cannot open the database (\(message))", hint: "check the path and that its directory exists")
        case SQLITE_BUSY, SQLITE_LOCKED:
            return KlasterError(.ioError, "\(what): the database is busy (\(message))", hint: "another process holds a write lock; retry")
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH:
            return KlasterError(.ioError, "\(what): the database is read-only (\(message))", hint: "check file permissions")
        case SQLITE_FULL:
            return KlasterError(.ioError, "\(what): disk full (\(message))", hint: "free space, or shorten storage.raw_retention")
        case SQLITE_IOERR:
            return KlasterError(.ioError, "\(what): I/O error (\(message))", hint: "check the disk")
        case SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_TOOBIG, SQLITE_RANGE:
            return KlasterError(.dataError, "\(what): \(message)", hint: "the data does not fit the schema")
        default:
            return KlasterError(.software, "\(what): sqlite error \(rc): \(message)", hint: "this is a Klaster bug; please report it")
        }
    }
}
