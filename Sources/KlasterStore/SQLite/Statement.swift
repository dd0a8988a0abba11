import CSQLite
import KlasterCore

/// A prepared statement: compiled once, reset and re-bound per use,
/// finalized in `deinit`. Keeps its `Database` alive.
final class Statement {
    private let db: Database
    let handle: OpaquePointer
    let sql: String

    init(_ db: Database, _ sql: String) throws(KlasterError) {
        var st: OpaquePointer?
        try SQLiteError.check(sqlite3_prepare_v3(db.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &st, nil),
                              db.handle, "preparing \(sql.prefix(60))")
        guard let st else { throw KlasterError(.software, "empty SQL statement: \(sql)") }
        self.db = db
        self.handle = st
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// The first failed bind since the last reset (`SQLITE_OK` if none):
    /// reported by the next `step()`, so no statement runs with a parameter
    /// that did not bind (a too-large blob, an index out of range).
    private var bindFailure: (rc: Int32, index: Int32) = (SQLITE_OK, 0)

    /// Resets the statement and clears its bindings for the next use.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        bindFailure = (SQLITE_OK, 0)
    }

    // MARK: Binding (1-based indices, as in SQLite)

    @inline(__always)
    private func note(_ rc: Int32, _ i: Int32) {
        if rc != SQLITE_OK && bindFailure.rc == SQLITE_OK { bindFailure = (rc, i) }
    }

    func bind(_ i: Int32, _ v: Int64) { note(sqlite3_bind_int64(handle, i, v), i) }
    func bind(_ i: Int32, _ v: Double) { note(sqlite3_bind_double(handle, i, v), i) }
    func bind(_ i: Int32, _ v: Double?) {
        if let v { note(sqlite3_bind_double(handle, i, v), i) } else { note(sqlite3_bind_null(handle, i), i) }
    }
    func bind(_ i: Int32, _ v: Int64?) {
        if let v { note(sqlite3_bind_int64(handle, i, v), i) } else { note(sqlite3_bind_null(handle, i), i) }
    }
    func bind(_ i: Int32, _ text: String?) {
        guard let text else { note(sqlite3_bind_null(handle, i), i); return }
        // With its byte count, not as a C string: a NUL inside the text must
        // not cut it short (two different keys would become one).
        var v = text
        let rc = v.withUTF8 { b in
            b.withMemoryRebound(to: CChar.self) { c in
                sqlite3_bind_text64(handle, i, c.baseAddress, sqlite3_uint64(c.count), klaster_sqlite_transient(), UInt8(SQLITE_UTF8))
            }
        }
        note(rc, i)
    }
    func bind(_ i: Int32, blob: [UInt8]) {
        let rc = blob.withUnsafeBytes { buf in
            sqlite3_bind_blob64(handle, i, buf.baseAddress, sqlite3_uint64(buf.count), klaster_sqlite_transient())
        }
        note(rc, i)
    }

    // MARK: Stepping

    /// Advances to the next row. - Returns: `true` when a row is available, `false` when done.
    @discardableResult
    func step() throws(KlasterError) -> Bool {
        if bindFailure.rc != SQLITE_OK {
            let (rc, i) = bindFailure
            bindFailure = (SQLITE_OK, 0)
            throw SQLiteError.error(rc, db.handle, "binding parameter \(i) of \(sql.prefix(60))")
        }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw SQLiteError.error(rc, db.handle, "running \(sql.prefix(60))")
    }

    /// Resets, binds via `bind`, and steps to completion (a statement without rows).
    func run(_ bind: (Statement) -> Void = { _ in }) throws(KlasterError) {
        sqlite3_reset(handle)
        bindFailure = (SQLITE_OK, 0)
        bind(self)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    // MARK: Columns (0-based)

    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
    func optionalDouble(_ i: Int32) -> Double? { isNull(i) ? nil : double(i) }
    func optionalInt64(_ i: Int32) -> Int64? { isNull(i) ? nil : int64(i) }
    func string(_ i: Int32) -> String {
        guard let p = sqlite3_column_text(handle, i) else { return "" }
        return String(cString: p)
    }
    func optionalString(_ i: Int32) -> String? { isNull(i) ? nil : string(i) }
    func blob(_ i: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, i))
        guard n > 0, let p = sqlite3_column_blob(handle, i) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}
