/// The two storage backends; the behavioural suites run on both.
public enum StoreBackend: String, CaseIterable, Sendable {
    case sqlite, postgres

    /// A fresh, empty database for `klaster --db …`: a file path in `directory`
    /// (SQLite), or a new database on the shared test PostgreSQL (its URL).
    /// - Parameter name: The SQLite file name.
    public func freshDatabase(in directory: TemporaryDirectory, name: String = "k.db") throws -> String {
        switch self {
        case .sqlite: return directory.file(name)
        case .postgres: return try PostgresServer.shared().createDatabase(prefix: "cli")
        }
    }

    /// What `klaster` needs in its environment for this backend (the password, never on the command line).
    public var environment: [String: String] {
        self == .postgres ? ["KLASTER_PG_PASSWORD": PostgresServer.password] : [:]
    }
}
