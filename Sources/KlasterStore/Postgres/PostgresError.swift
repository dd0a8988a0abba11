import CLibPQ
import KlasterCore

/// The one place where libpq failures become `KlasterError`s (cf. the
/// SQLite store's `SQLiteError`): connection failures by what libpq says
/// went wrong, statement failures by their SQLSTATE.
///
/// Exit codes (sysexits), as the CLI documents them:
/// - wrong password, unknown role, no password supplied, privilege denied → 77;
/// - connection refused, host unreachable, server shutting down, connection
///   lost → 69 (`ingest` retries these; see `isTransient`);
/// - database missing → 66, the code SQLite uses for a missing database
///   file: to the user both are "the database I named is not there", and the
///   hint says how to create it (`createdb`, then `klaster db migrate`).
enum PostgresError {
    /// The error for a connection that failed to open.
    /// - Parameters:
    ///   - conn: The failed connection (`PQstatus == CONNECTION_BAD`), or nil.
    ///   - target: Host, port and database as the user named them (no password).
    static func connectFailure(_ conn: OpaquePointer?, target: String) -> KlasterError {
        let raw = conn.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? "out of memory"
        let message = oneLine(raw)
        if let conn, PQconnectionNeedsPassword(conn) != 0 {
            return KlasterError(.noPermission, "PostgreSQL at \(target) asks for a password and none was given",
                                hint: "set storage.password_file, PGPASSWORD or KLASTER_PG_PASSWORD")
        }
        // libpq reports the server's FATAL message as text; there is no
        // SQLSTATE for a failed connection. The test servers and Debian's
        // default cluster run with lc_messages = C, where these are stable.
        if message.contains("password authentication failed") || message.contains("authentication failed")
            || (message.contains("role \"") && message.contains("does not exist")) || message.contains("no pg_hba.conf entry") {
            return KlasterError(.noPermission, "PostgreSQL at \(target) refused the credentials: \(message)",
                                hint: "check the user in storage.url and the password in storage.password_file / PGPASSWORD")
        }
        if message.contains("database \"") && message.contains("does not exist") {
            return KlasterError(.noInput, "PostgreSQL at \(target): \(message)",
                                hint: "create it (createdb), then run `klaster db migrate`")
        }
        if message.contains("invalid connection option") || message.contains("invalid URI") || message.contains("missing \"=\"")
            || message.contains("invalid integer value") || message.contains("invalid sslmode value") {
            return KlasterError(.config, "storage.url is not a valid libpq connection URI: \(message)",
                                hint: "e.g. postgresql://klaster@127.0.0.1:5432/klaster")
        }
        return KlasterError(.unavailable, "cannot connect to PostgreSQL at \(target): \(message)",
                            hint: "is the server running and storage.url right?")
    }

    /// Throws unless `result` is one of the `ok` statuses; clears nothing
    /// (the caller owns the result).
    static func check(_ result: OpaquePointer?, _ conn: OpaquePointer, _ what: @autoclosure () -> String,
                      ok: ExecStatusType...) throws(KlasterError) {
        guard let result else {
            throw lost(conn, what())
        }
        let status = PQresultStatus(result)
        if ok.contains(status) { return }
        throw error(result, conn, what())
    }

    /// The `KlasterError` for a failed statement, by SQLSTATE class.
    static func error(_ result: OpaquePointer, _ conn: OpaquePointer, _ what: String) -> KlasterError {
        let state = PQresultErrorField(result, klaster_pg_diag_sqlstate()).map { String(cString: $0) } ?? ""
        let primary = PQresultErrorField(result, klaster_pg_diag_message_primary()).map { String(cString: $0) }
        let message = primary ?? oneLine(String(cString: PQresultErrorMessage(result)))
        if state.isEmpty, PQstatus(conn) == CONNECTION_BAD { return lost(conn, what) }
        switch state.prefix(2) {
        case "08", "57":  // connection exception; operator intervention (shutdown, crash recovery)
            return KlasterError(.unavailable, "\(what): PostgreSQL connection lost (\(state) \(message))",
                                hint: "is the server running? ingest retries by itself")
        case "28":
            return KlasterError(.noPermission, "\(what): \(message)", hint: "check the user and password")
        case "3D":
            return KlasterError(.noInput, "\(what): \(message)", hint: "create the database, then run `klaster db migrate`")
        case "42" where state == "42501":
            return KlasterError(.noPermission, "\(what): \(message)", hint: "grant the role access to the klaster tables")
        case "42" where state == "42P01":
            return KlasterError(.dataError, "\(what): \(message)", hint: "is this a Klaster database? run `klaster db migrate`")
        case "22", "23":
            return KlasterError(.dataError, "\(what): \(message)", hint: "the data does not fit the schema")
        case "53", "58":
            return KlasterError(.ioError, "\(what): server out of resources or I/O error (\(state) \(message))",
                                hint: "check the server's disk and log")
        case "40":
            return KlasterError(.ioError, "\(what): transaction aborted (\(state) \(message))", hint: "retry")
        default:
            return KlasterError(.software, "\(what): PostgreSQL error \(state): \(message)",
                                hint: "this is a Klaster bug; please report it")
        }
    }

    /// A call that returned no result or failed with the connection gone.
    static func lost(_ conn: OpaquePointer, _ what: String) -> KlasterError {
        let message = oneLine(String(cString: PQerrorMessage(conn)))
        return KlasterError(.unavailable, "\(what): PostgreSQL connection lost (\(message.isEmpty ? "no result" : message))",
                            hint: "is the server running? ingest retries by itself")
    }

    /// Whether a failure may pass by retrying on a new connection (server
    /// restart, network): what `ingest` waits out with backoff.
    static func isTransient(_ e: KlasterError) -> Bool {
        e.code == .unavailable || (e.code == .ioError && e.message.contains("transaction aborted"))
    }

    /// libpq messages end in newlines and may hold several lines ("connection
    /// to server … failed: Connection refused\n\tIs the server running…").
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline)
            .map { line in String(line.drop(while: { $0 == " " || $0 == "\t" })) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
