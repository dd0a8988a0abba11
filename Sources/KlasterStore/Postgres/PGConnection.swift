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
        let r = PQexec(handle, sql)
        defer { PQclear(r) }
        try PostgresError.check(r, handle, "running \(sql.prefix(60))", ok: PGRES_COMMAND_OK, PGRES_TUPLES_OK)
    }

    /// Runs one statement with text parameters (`$1`, `$2`, …; `nil` = NULL).
    func query(_ sql: String, _ params: [String?] = []) throws(KlasterError) -> PGResult {
        let r = Self.withOptionalCStrings(params) { p in
            PQexecParams(handle, sql, Int32(params.count), nil, p, nil, nil, 0)
        }
        return try PGResult(r, handle, "running \(sql.prefix(60))")
    }

    /// Runs a named prepared statement, preparing it on first use on this connection.
    func run(prepared name: String, _ sql: String, _ params: [String?]) throws(KlasterError) -> PGResult {
        if !prepared.contains(name) {
            let r = PQprepare(handle, name, sql, Int32(params.count), nil)
            defer { PQclear(r) }
            try PostgresError.check(r, handle, "preparing \(sql.prefix(60))", ok: PGRES_COMMAND_OK)
            prepared.insert(name)
        }
        let r = Self.withOptionalCStrings(params) { p in
            PQexecPrepared(handle, name, Int32(params.count), p, nil, nil, 0)
        }
        return try PGResult(r, handle, "running \(name)")
    }

    /// The single integer of a one-row, one-column query (nil for no row or NULL).
    func scalarInt(_ sql: String, _ params: [String?] = []) throws(KlasterError) -> Int64? {
        let r = try query(sql, params)
        return r.rows > 0 ? r.optionalInt64(0, 0) : nil
    }

    /// `COPY … FROM STDIN` with the rows already in COPY text format.
    /// - Returns: Rows copied.
    @discardableResult
    func copyIn(_ sql: String, _ data: [UInt8]) throws(KlasterError) -> Int {
        let start = PQexec(handle, sql)
        do {
            defer { PQclear(start) }
            try PostgresError.check(start, handle, "starting \(sql.prefix(60))", ok: PGRES_COPY_IN)
        }
        var sent = true
        data.withUnsafeBufferPointer { buf in
            var off = 0
            while off < buf.count, sent {
                let n = min(1 << 20, buf.count - off)
                // PQputCopyData takes char*; the bytes are COPY text.
                sent = buf.baseAddress!.advanced(by: off).withMemoryRebound(to: CChar.self, capacity: n) {
                    PQputCopyData(handle, $0, Int32(n)) == 1
                }
                off += n
            }
        }
        guard sent, PQputCopyEnd(handle, nil) == 1 else { throw PostgresError.lost(handle, "sending COPY data") }
        var copied = 0
        while let r = PQgetResult(handle) {
            defer { PQclear(r) }
            try PostgresError.check(r, handle, "finishing \(sql.prefix(60))", ok: PGRES_COMMAND_OK)
            copied += Int(String(cString: PQcmdTuples(r))) ?? 0
        }
        return copied
    }

    /// Runs `body` in one transaction (`BEGIN … COMMIT`); rolls back on any
    /// error, so nothing is half-written. A failed COMMIT throws: the caller
    /// must then treat the batch as not written.
    func transaction<T>(_ isolation: String = "READ COMMITTED", _ body: () throws(KlasterError) -> T) throws(KlasterError) -> T {
        try execute("BEGIN ISOLATION LEVEL \(isolation)")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isOK { try? execute("ROLLBACK") }
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
