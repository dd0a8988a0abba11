import KlasterCore

/// Persistence of alert-rule states for `klaster check`, so a cron-driven
/// check honours `for` and hysteresis between runs.
///
/// The table is created idempotently (`CREATE TABLE IF NOT EXISTS`) on its own
/// connection to the same file, so it needs no schema migration of its own;
/// store-cli may fold it into a numbered migration later without changing this API.
extension Store {
    static let alertStateDDL = """
        CREATE TABLE IF NOT EXISTS alert_state (
            rule TEXT PRIMARY KEY, status INTEGER NOT NULL, since INTEGER NOT NULL, level INTEGER NOT NULL,
            pending INTEGER, pending_since INTEGER, last_window_end INTEGER, value REAL
        ) STRICT, WITHOUT ROWID;
        """

    private func alertStateConnection() throws(KlasterError) -> Database {
        let db = try Database(path: path, create: false)
        try db.execute("PRAGMA busy_timeout = 10000")
        try db.execute(Self.alertStateDDL)
        return db
    }

    /// Saved alert states by rule name (rules never evaluated are absent).
    /// - Throws: `KlasterError` for an unreadable database.
    public func loadAlertStates() throws(KlasterError) -> [String: AlertState] {
        let db = try alertStateConnection()
        let st = try db.prepare("SELECT rule, status, since, level, pending, pending_since, last_window_end, value FROM alert_state")
        var out: [String: AlertState] = [:]
        while try st.step() {
            guard let status = AlertStatus(rawValue: Int32(st.int64(1))),
                  let level = AlertStatus(rawValue: Int32(st.int64(3))) else { continue }
            out[st.string(0)] = AlertState(status: status, since: st.int64(2), level: level,
                                           pending: st.optionalInt64(4).flatMap { AlertStatus(rawValue: Int32($0)) },
                                           pendingSince: st.optionalInt64(5), lastWindowEnd: st.optionalInt64(6),
                                           value: st.optionalDouble(7))
        }
        return out
    }

    /// Replaces the saved states of the given rules, in one transaction.
    /// - Throws: `KlasterError` on a write failure (nothing is half-written).
    public func saveAlertStates(_ states: [String: AlertState]) throws(KlasterError) {
        let db = try alertStateConnection()
        try db.transaction { () throws(KlasterError) in
            let st = try db.prepare("""
                INSERT INTO alert_state (rule, status, since, level, pending, pending_since, last_window_end, value)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                ON CONFLICT (rule) DO UPDATE SET status = excluded.status, since = excluded.since, level = excluded.level,
                    pending = excluded.pending, pending_since = excluded.pending_since,
                    last_window_end = excluded.last_window_end, value = excluded.value
                """)
            for (rule, s) in states.sorted(by: { $0.key < $1.key }) {
                try st.run { st in
                    st.bind(1, rule)
                    st.bind(2, Int64(s.status.rawValue))
                    st.bind(3, s.since)
                    st.bind(4, Int64(s.level.rawValue))
                    st.bind(5, s.pending.map { Int64($0.rawValue) })
                    st.bind(6, s.pendingSince)
                    st.bind(7, s.lastWindowEnd)
                    st.bind(8, s.value)
                }
            }
        }
    }
}
