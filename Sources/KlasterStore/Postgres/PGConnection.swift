import CLibPQ
import KlasterCore

/// One libpq connection. Owns the `PGconn *` and closes it (`PQfinish`) in
/// `deinit`.
///
/// Synchronous by design: the ingest daemon's aggregator thread applies a
/// batch and must know it is committed before the broker is acknowledged, so
/// a blocking call on that thread is the shape it wants (an event-loop client
/// would need a thread hop and a wait per batch for the same result). Not
/// `Sendable`: one thread uses a connection at a time (the owning store's
/// mutex guarantees it).
final class PGConnection {
    let handle: OpaquePointer
    /// `host:port/db` for messages; never the password.
    let target: String
    /// Names of statements prepared on this connection.
    private var prepared: Set<String> = []
    /// What the server has not been sent yet: the running transaction's
    /// BEGIN and the statements queued by `runDeferred`, in order. They go
    /// with the next statement that needs an answer, or with the COMMIT, so
    /// that a batch costs fewer round trips (each one is a wake-up of the
    /// server's backend and of this thread, which on a loaded machine can be
    /// a scheduling delay each).
    private var pending: [PendingStatement] = []

    private enum PendingStatement {
        /// A statement without parameters (BEGIN).
        case sql(String)
        /// A prepared statement and its text parameters.
        case prepared(name: String, params: [String?])
    }

    /// Connects. The password is passed as its own connection parameter,
    /// never put into the URI, a command line or a message.
    /// - Parameters:
    ///   - url: A libpq URI or `key=value` string (`storage.url`).
    ///   - password: From `storage.password_file` / `KLASTER_PG_PASSWORD`;
    ///     `nil` leaves libpq to its own sources (PGPASSWORD, ~/.pgpass).
    /// - Throws: see `PostgresError.connectFailure`.
    init(url: String, password: String?) throws(KlasterError) {
        var keys = ["dbname", "fallback_application_name", "connect_timeout"]
        var values = [url, "klaster", "10"]
        if let password {
            keys.append("password")
            values.append(password)
        }
        let conn = Self.withCStrings(keys) { k in
            Self.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let target = conn.map(Self.describe) ?? url
            let error = PostgresError.connectFailure(conn, target: target)
            if let conn { PQfinish(conn) }
            throw error
        }
        handle = conn
        target = Self.describe(conn)
        // Notices (e.g. "relation already exists, skipping") would go to
        // stderr, which belongs to the CLI's one-line errors and the log.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable (false after the server went away).
    var isOK: Bool { PQstatus(handle) == CONNECTION_OK }

    private static func describe(_ conn: OpaquePointer) -> String {
        func s(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        let host = s(PQhost(conn)), port = s(PQport(conn)), db = s(PQdb(conn))
        return "\(host.hasPrefix("/") ? "socket \(host)" : host):\(port)/\(db)"
    }

    /// Runs SQL without parameters that returns no rows; several statements
    /// separated by `;` run as one implicit transaction unless they say otherwise.
    func execute(_ sql: String) throws(KlasterError) {
        let text = try withPendingPrefix(sql)
        let r = PQexec(handle, text)
        defer { PQclear(r) }
        try PostgresError.check(r, handle, "running \(sql.prefix(60))", ok: PGRES_COMMAND_OK, PGRES_TUPLES_OK)
    }

    /// Runs one statement with text parameters (`$1`, `$2`, …; `nil` = NULL).
    func query(_ sql: String, _ params: [String?] = []) throws(KlasterError) -> PGResult {
        try flushPending()
        let r = Self.withOptionalCStrings(params) { p in
            PQexecParams(handle, sql, Int32(params.count), nil, p, nil, nil, 0)
        }
        return try PGResult(r, handle, "running \(sql.prefix(60))")
    }

    /// Runs a named prepared statement, preparing it on first use on this connection.
    func run(prepared name: String, _ sql: String, _ params: [String?]) throws(KlasterError) -> PGResult {
        try prepare(name, sql, params.count)
        try flushPending()
        let r = Self.withOptionalCStrings(params) { p in
            PQexecPrepared(handle, name, Int32(params.count), p, nil, nil, 0)
        }
        return try PGResult(r, handle, "running \(name)")
    }

    /// Like `run(prepared:_:_:)` for a statement whose result nobody reads:
    /// it is queued and sent with the next statement that needs an answer or
    /// with the COMMIT (libpq pipeline mode), in order. Its failure is thrown
    /// there, and fails the transaction as it would have here.
    func runDeferred(prepared name: String, _ sql: String, _ params: [String?]) throws(KlasterError) {
        try prepare(name, sql, params.count)
        pending.append(.prepared(name: name, params: params))
    }

    private func prepare(_ name: String, _ sql: String, _ count: Int) throws(KlasterError) {
        guard !prepared.contains(name) else { return }
        // Outside the pipeline (once per connection): a statement is prepared whatever the transaction's fate.
        let r = PQprepare(handle, name, sql, Int32(count), nil)
        defer { PQclear(r) }
        try PostgresError.check(r, handle, "preparing \(sql.prefix(60))", ok: PGRES_COMMAND_OK)
        prepared.insert(name)
    }

    /// `sql` for a simple query: with the pending BEGIN in front when that is
    /// all that is pending (one round trip), else after sending what is.
    private func withPendingPrefix(_ sql: String) throws(KlasterError) -> String {
        guard !pending.isEmpty else { return sql }
        if pending.count == 1, case .sql(let begin) = pending[0] {
            pending.removeAll()
            return begin + "; " + sql
        }
        try flushPending()
        return sql
    }

    /// Sends what is pending, if anything, and waits for it.
    private func flushPending() throws(KlasterError) {
        guard !pending.isEmpty else { return }
        let statements = pending
        pending.removeAll()
        try pipeline(statements)
    }

    /// Sends `statements` in one pipeline (libpq pipeline mode: every
    /// statement, then one sync) and reads every result.
    /// - Throws: The first statement's failure (the server skips the rest
    ///   up to the sync, so a failed statement leaves the transaction aborted
    ///   and a COMMIT after it unrun); `.unavailable` when the connection broke.
    private func pipeline(_ statements: [PendingStatement]) throws(KlasterError) {
        guard PQenterPipelineMode(handle) == 1 else { throw PostgresError.lost(handle, "entering pipeline mode") }
        var sent = true
        for st in statements where sent {
            switch st {
            case .sql(let sql):
                sent = PQsendQueryParams(handle, sql, 0, nil, nil, nil, nil, 0) == 1
            case .prepared(let name, let params):
                sent = Self.withOptionalCStrings(params) { p in
                    PQsendQueryPrepared(handle, name, Int32(params.count), p, nil, nil, 0)
                } == 1
            }
        }
        guard sent, PQpipelineSync(handle) == 1 else {
            let error = PostgresError.lost(handle, "sending a pipeline")
            PQexitPipelineMode(handle)
            throw error
        }
        func describe(_ i: Int) -> String {
            switch statements[min(i, statements.count - 1)] {
            case .sql(let sql): return "running \(sql.prefix(60))"
            case .prepared(let name, _): return "running \(name)"
            }
        }
        var failure: KlasterError?
        var index = 0
        var synced = false
        while !synced {
            // A NULL ends one statement's results; the sync result ends the pipeline.
            guard let r = PQgetResult(handle) else {
                index += 1
                if PQstatus(handle) == CONNECTION_BAD || index > statements.count + 1 {
                    let error = PostgresError.lost(handle, describe(index))
                    PQexitPipelineMode(handle)
                    throw error
                }
                continue
            }
            defer { PQclear(r) }
            switch PQresultStatus(r) {
            case PGRES_PIPELINE_SYNC: synced = true
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_PIPELINE_ABORTED: break
            default: if failure == nil { failure = PostgresError.error(r, handle, describe(index)) }
            }
        }
        PQexitPipelineMode(handle)
        if let failure { throw failure }
    }

    /// The single integer of a one-row, one-column query (nil for no row or NULL).
    func scalarInt(_ sql: String, _ params: [String?] = []) throws(KlasterError) -> Int64? {
        let r = try query(sql, params)
        return r.rows > 0 ? r.optionalInt64(0, 0) : nil
    }

    /// `COPY … FROM STDIN` inside a savepoint, the data in the format the
    /// statement names (`PGCopyBinary` for binary), into a table whose unique
    /// key may already hold some of the rows: a COPY cannot skip them, so on a unique
    /// violation (SQLSTATE 23505) the savepoint is rolled back, the
    /// transaction goes on as if the COPY had not run, and the caller writes
    /// the rows the slower way (`INSERT … ON CONFLICT`). Any other failure
    /// throws.
    /// - Returns: Rows copied (all of them), or nil after a duplicate.
    ///
    /// One round trip more than the COPY: the savepoint goes in the COPY's
    /// query string, and it is not released (a commit or rollback of the
    /// transaction ends it; a later one of the same name shadows it).
    func copyInUnlessDuplicate(_ sql: String, _ data: [UInt8]) throws(KlasterError) -> Int? {
        let outcome = try copy("SAVEPOINT klaster_copy; " + sql, data)
        guard let failure = outcome.failure else { return outcome.rows }
        guard failure.sqlstate == "23505" else { throw failure.error }
        try execute("ROLLBACK TO SAVEPOINT klaster_copy")
        return nil
    }

    /// Runs one COPY to its end. Throws only when the connection is gone; a
    /// statement failure comes back as `failure` once every result has been
    /// read, so the connection is ready for the next command either way.
    private func copy(_ sql: String, _ data: [UInt8]) throws(KlasterError) -> (rows: Int, failure: (error: KlasterError, sqlstate: String)?) {
        // PQexec returns at the COPY, the last statement of `sql`.
        let text = try withPendingPrefix(sql)
        let start = PQexec(handle, text)
        do {
            defer { PQclear(start) }
            try PostgresError.check(start, handle, "starting \(sql.prefix(60))", ok: PGRES_COPY_IN)
        }
        var sent = true
        data.withUnsafeBufferPointer { buf in
            var off = 0
            while off < buf.count, sent {
                let n = min(1 << 20, buf.count - off)
                // PQputCopyData takes char*; the bytes are COPY data.
                sent = buf.baseAddress!.advanced(by: off).withMemoryRebound(to: CChar.self, capacity: n) {
                    PQputCopyData(handle, $0, Int32(n)) == 1
                }
                off += n
            }
        }
        guard sent, PQputCopyEnd(handle, nil) == 1 else { throw PostgresError.lost(handle, "sending COPY data") }
        var copied = 0
        var failure: (error: KlasterError, sqlstate: String)?
        while let r = PQgetResult(handle) {
            defer { PQclear(r) }
            if PQresultStatus(r) == PGRES_COMMAND_OK {
                copied += Int(String(cString: PQcmdTuples(r))) ?? 0
            } else if failure == nil {
                let state = PQresultErrorField(r, klaster_pg_diag_sqlstate()).map { String(cString: $0) } ?? ""
                failure = (PostgresError.error(r, handle, "finishing \(sql.prefix(60))"), state)
            }
        }
        if let failure, failure.error.code == .unavailable { throw failure.error }
        return (copied, failure)
    }

    /// Runs `body` in one transaction (`BEGIN … COMMIT`); rolls back on any
    /// error, so nothing is half-written. A failed COMMIT throws: the caller
    /// must then treat the batch as not written.
    ///
    /// The BEGIN goes with the body's first statement, and the statements the
    /// body deferred (`runDeferred`) go with the COMMIT, in one round trip.
    func transaction<T>(_ isolation: String = "READ COMMITTED", _ body: () throws(KlasterError) -> T) throws(KlasterError) -> T {
        pending = [.sql("BEGIN ISOLATION LEVEL \(isolation)")]
        do {
            let result = try body()
            if pending.count == 1, case .sql = pending[0] {
                pending.removeAll()  // nothing was sent: nothing to commit
            } else {
                pending.append(.sql("COMMIT"))
                try flushPending()
            }
            return result
        } catch {
            pending.removeAll()
            if isOK && PQtransactionStatus(handle) != PQTRANS_IDLE { try? execute("ROLLBACK") }
            throw error
        }
    }

    // MARK: C strings

    /// A NULL-terminated array of C strings (PQconnectdbParams' keywords and values).
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withOptionalCStrings(strings.map { Optional($0) }) { body($0!) }
    }

    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        // One contiguous buffer of NUL-terminated strings, then pointers into it
        // (and a trailing NULL), valid for the duration of `body`.
        var bytes: [CChar] = []
        var offsets: [Int?] = []
        for s in strings {
            if let s {
                offsets.append(bytes.count)
                bytes.append(contentsOf: s.utf8CString)
            } else {
                offsets.append(nil)
            }
        }
        if bytes.isEmpty { bytes.append(0) }
        return bytes.withUnsafeBufferPointer { buf in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { $0.map { buf.baseAddress! + $0 } } + [nil]
            return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }
}

/// A query result (text format). Owns the `PGresult *` and clears it in `deinit`.
final class PGResult {
    let handle: OpaquePointer

    init(_ r: OpaquePointer?, _ conn: OpaquePointer, _ what: @autoclosure () -> String) throws(KlasterError) {
        do {
            try PostgresError.check(r, conn, what(), ok: PGRES_COMMAND_OK, PGRES_TUPLES_OK)
        } catch {
            PQclear(r)
            throw error
        }
        handle = r!
    }

    deinit { PQclear(handle) }

    var rows: Int { Int(PQntuples(handle)) }
    /// Rows an INSERT/UPDATE/DELETE touched.
    var affected: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    func isNull(_ row: Int, _ col: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(col)) == 1 }
    func string(_ row: Int, _ col: Int) -> String { String(cString: PQgetvalue(handle, Int32(row), Int32(col))) }
    func optionalString(_ row: Int, _ col: Int) -> String? { isNull(row, col) ? nil : string(row, col) }
    func int64(_ row: Int, _ col: Int) -> Int64 { optionalInt64(row, col) ?? 0 }
    func optionalInt64(_ row: Int, _ col: Int) -> Int64? {
        isNull(row, col) ? nil : Int64(String(cString: PQgetvalue(handle, Int32(row), Int32(col))))
    }
    func double(_ row: Int, _ col: Int) -> Double { optionalDouble(row, col) ?? 0 }
    func optionalDouble(_ row: Int, _ col: Int) -> Double? {
        guard !isNull(row, col) else { return nil }
        switch string(row, col) {
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        case let s: return Double(s)
        }
    }
    /// A `bytea` column (hex output format, `\x…`).
    func bytes(_ row: Int, _ col: Int) -> [UInt8] {
        let s = Array(string(row, col).utf8)
        guard s.count >= 2, s[0] == UInt8(ascii: "\\"), s[1] == UInt8(ascii: "x") else { return s }
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        var out: [UInt8] = []
        out.reserveCapacity((s.count - 2) / 2)
        var i = 2
        while i + 1 < s.count {
            out.append(nibble(s[i]) << 4 | nibble(s[i + 1]))
            i += 2
        }
        return out
    }
}
