import KlasterCore

extension KlasterConfig {
    /// Opens the configured store — `storage.backend` — with this config's
    /// durability (SQLite), URL and password source (PostgreSQL), widths and
    /// quantities. The one place commands and the daemon get a store from.
    /// - Parameters:
    ///   - create: `false` for read commands: a missing file or an empty
    ///     PostgreSQL database is exit 66.
    ///   - migrate: Apply pending migrations (default); `db migrate` opens without, then migrates.
    public func openStore(create: Bool, migrate: Bool = true) throws(KlasterError) -> any Store {
        try buckets.validateForStorage()
        switch storage.backend {
        case .sqlite:
            return try SQLiteStore(path: storage.path, durability: storage.durability, create: create,
                                   widths: buckets.widths, quantities: quantities, migrate: migrate)
        case .postgres:
            return try PostgresStore(url: storage.url, passwordFile: storage.passwordFile, create: create,
                                     widths: buckets.widths, quantities: quantities, migrate: migrate)
        }
    }

    /// The store of a read command: an existing database, opened read-only
    /// (SQLite: nothing written, works in a directory the user cannot write
    /// to; PostgreSQL: read-only transactions, no migration).
    public func openStoreForReading() throws(KlasterError) -> any Store {
        try buckets.validateForStorage()
        switch storage.backend {
        case .sqlite:
            return try SQLiteStore(path: storage.path, durability: storage.durability, create: false,
                                   widths: buckets.widths, quantities: quantities, readOnly: true)
        case .postgres:
            return try PostgresStore(url: storage.url, passwordFile: storage.passwordFile, create: false,
                                     widths: buckets.widths, quantities: quantities)
        }
    }
}
