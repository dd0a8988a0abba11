#if canImport(Glibc)
import Glibc
#endif
import CSQLite
import KlasterCore

/// One SQLite connection. Owns the `sqlite3*` handle and closes it in `deinit`.
///
/// Not `Sendable`: a connection is used by one thread at a time (the sink's
/// thread, or a CLI command). SQLite is opened with `SQLITE_OPEN_NOMUTEX`
/// accordingly.
final class Database {
    let handle: OpaquePointer
    let path: String

    /// Opens (or, when `create`, creates) the database file.
    /// - Throws: `KlasterError(.noInput)` when the file is missing and `create` is false.
    /// - Parameter immutable: With `readOnly`: open as `immutable=1` (no
    ///   locks, no `-shm`), for a file in a directory the reader cannot write.
    init(path: String, create: Bool, readOnly: Bool = false, immutable: Bool = false) throws(KlasterError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if create { flags |= SQLITE_OPEN_CREATE }
        }
        var name = path
        if readOnly && immutable {
            flags |= SQLITE_OPEN_URI
            name = "file:" + Self.uriEscaped(path) + "?immutable=1"
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error: KlasterError
            if rc & 0xFF == SQLITE_CANTOPEN && !create {
                error = KlasterError(.noInput, "database \(path) not found", hint: "run `klaster ingest` or `klaster import` first, or pass --db")
            } else {
                error = SQLiteError.error(rc, db, "opening \(path)")
            }
            sqlite3_close_v2(db)
            throw error
        }
        self.handle = db
        self.path = path
    }

    /// `path` for a `file:` URI: `%`, `?` and `#` percent-encoded.
    private static func uriEscaped(_ path: String) -> String {
        var out = ""
        for c in path.unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "?": out += "%3F"
            case "#": out += "%23"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    deinit {
        // Statements are finalized by their own deinit before this runs
        // (each holds a strong reference to its Database); close_v2 copes
        // with any that are not.
        sqlite3_close_v2(handle)
    }

    /// Whether SQLite opened the file read-only (it does so silently when a
    /// read-write open meets a write-protected file).
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Runs `sql` like `execute`, retrying while SQLite answers BUSY without
    /// calling the busy handler (it does not for a journal-mode change, so
    /// two processes opening a new file at once failed at once).
    /// - Parameter timeoutMillis: How long to keep retrying.
    func executeRetryingBusy(_ sql: String, timeoutMillis: Int64) throws(KlasterError) {
        var waited: Int64 = 0
        while true {
            let rc = sqlite3_exec(handle, sql, nil, nil, nil)
            if rc == SQLITE_OK { return }
            guard rc & 0xFF == SQLITE_BUSY || rc & 0xFF == SQLITE_LOCKED, waited < timeoutMillis else {
                throw SQLiteError.error(rc, handle, "running \(sql.prefix(60))")
            }
            usleep(20_000)
            waited += 20
        }
    }

    /// Runs SQL that returns no rows (DDL, PRAGMAs that set, BEGIN/COMMIT).
    func execute(_ sql: String) throws(KlasterError) {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let err = SQLiteError.error(rc, handle, "running \(sql.prefix(60))")
            sqlite3_free(errmsg)
            throw err
        }
    }

    /// Compiles a statement; reuse it with `reset()`.
    func prepare(_ sql: String) throws(KlasterError) -> Statement {
        try Statement(self, sql)
    }

    /// The single integer of a one-row, one-column query (PRAGMA user_version…).
    func scalarInt(_ sql: String) throws(KlasterError) -> Int64? {
        let st = try prepare(sql)
        guard try st.step() else { return nil }
        return st.isNull(0) ? nil : st.int64(0)
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// How many `transaction`/`readTransaction` calls are running: nested ones
    /// become savepoints of the outer transaction.
    private var depth = 0

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE` so that a
    /// writer waits for the busy timeout instead of failing on upgrade); rolls
    /// back on any error, so nothing is half-written. Inside another
    /// transaction it is a savepoint of it.
    func transaction<T>(_ body: () throws(KlasterError) -> T) throws(KlasterError) -> T {
        try run(begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs `body` in one read transaction (`BEGIN DEFERRED`): every
    /// statement in it sees the same snapshot of a WAL database.
    func readTransaction<T>(_ body: () throws(KlasterError) -> T) throws(KlasterError) -> T {
        try run(begin: "BEGIN DEFERRED", body)
    }

    private func run<T>(begin: String, _ body: () throws(KlasterError) -> T) throws(KlasterError) -> T {
        let nested = depth > 0
        let name = "klaster_\(depth)"
        try execute(nested ? "SAVEPOINT \(name)" : begin)
        depth += 1
        defer { depth -= 1 }
        do {
            let result = try body()
            try execute(nested ? "RELEASE \(name)" : "COMMIT")
            return result
        } catch {
            if nested {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
            } else {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }
}
