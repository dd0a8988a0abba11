import KlasterCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the PostgreSQL password comes from — never the command line:
/// `storage.password_file` (its first line), else `KLASTER_PG_PASSWORD`, else
/// libpq's own `PGPASSWORD` (and `~/.pgpass`), which libpq reads itself.
enum PostgresPassword {
    /// The password to hand libpq, or `nil` to let libpq find its own.
    /// - Parameters:
    ///   - file: `storage.password_file`.
    ///   - environment: Reads a variable (the process environment by default).
    /// - Throws: `KlasterError(.config)` for a password file that cannot be
    ///   read or whose first line is empty.
    static func resolve(file: String?, environment: (String) -> String? = Self.processEnvironment) throws(KlasterError) -> String? {
        if let file {
            guard let bytes = readFile(file, limit: 64 * 1024) else {
                throw KlasterError(.config, "cannot read storage.password_file \(file) (\(String(cString: strerror(errno))))",
                                   hint: "check the path and that this user may read it")
            }
            let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
            guard !firstLine.isEmpty else {
                throw KlasterError(.config, "storage.password_file \(file) is empty", hint: "write the password on its first line")
            }
            return String(decoding: firstLine, as: UTF8.self)
        }
        if let v = environment("KLASTER_PG_PASSWORD"), !v.isEmpty { return v }
        return nil
    }

    static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The file's bytes (at most `limit`), `nil` with `errno` set when it cannot be read.
    private static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
