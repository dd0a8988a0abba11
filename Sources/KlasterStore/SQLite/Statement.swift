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

    /// Resets the statement and clears its bindings for the next use.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding (1-based indices, as in SQLite)

    func bind(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(handle, i, v) }
    func bind(_ i: Int32, _ v: Double) { sqlite3_bind_double(handle, i, v) }
    func bind(_ i: Int32, _ v: Double?) { if let v { sqlite3_bind_double(handle, i, v) } else { sqlite3_bind_null(handle, i) } }
    func bind(_ i: Int32, _ v: Int64?) { if let v { sqlite3_bind_int64(handle, i, v) } else { sqlite3_bind_null(handle, i) } }
    func bind(_ i: Int32, _ v: String?) {
        guard let v else { sqlite3_bind_null(handle, i); return }
        sqlite3_bind_text(handle, i, v, -1, klaster_sqlite_transient())
    }
    func bind(_ i: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { buf in
            _ = sqlite3_bind_blob64(handle, i, buf.baseAddress, sqlite3_uint64(buf.count), klaster_sqlite_transient())
        }
    }

    // MARK: Stepping

    /// Advances to the next row. - Returns: `true` when a row is available, `false` when done.
    @discardableResult
    func step() throws(KlasterError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw SQLiteError.error(rc, db.handle, "running \(sql.prefix(60))")
    }

    /// Resets, binds via `bind`, and steps to completion (a statement without rows).
    func run(_ bind: (Statement) -> Void = { _ in }) throws(KlasterError) {
        sqlite3_reset(handle)
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
