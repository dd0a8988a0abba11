#if canImport(Glibc)
import Glibc
#endif
import KlasterCore

/// The one-writer rule of a database file: an exclusive `flock(2)` on
/// `<database>.lock`, taken before the database is opened and held until the
/// process exits (the kernel drops it even after SIGKILL).
///
/// Two `klaster ingest` processes on one file each aggregate their own share
/// of the stream into the same bucket rows and double every count and delta;
/// an import beside a running ingest does the same. The second writer is
/// refused at start instead: exit 69 (EX_UNAVAILABLE), naming the holder's
/// pid. Several writers belong on a shared server database, not on one file.
public final class WriterLock: Sendable {
    private let fd: Int32
    /// The lock file, `<database>.lock`.
    public let path: String

    /// Takes the lock without waiting.
    /// - Parameter database: The database file path.
    /// - Throws: `KlasterError(.unavailable)` when another process holds it,
    ///   `.ioError` / `.noPermission` when the lock file cannot be opened.
    public init(database: String) throws(KlasterError) {
        path = database + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            throw KlasterError(e == EACCES || e == EPERM || e == EROFS ? .noPermission : .ioError,
                               "cannot open lock file \(path): \(String(cString: strerror(e)))",
                               hint: "the database directory must be writable by the writer")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            let holder = Self.readPid(fd)
            close(fd)
            if e == EWOULDBLOCK {
                throw KlasterError(.unavailable, "database \(database) is in use by another writer\(holder.map { " (pid \($0))" } ?? "")",
                                   hint: "run one ingest or import per database file; stop the other one first")
            }
            throw KlasterError(.ioError, "cannot lock \(path): \(String(cString: strerror(e)))", hint: "check the file system")
        }
        // Who holds it, for the message a second writer prints.
        var text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, &text, text.count, 0)
    }

    deinit {
        // Closing the descriptor releases the lock; the file stays (removing
        // it would race with a writer that just opened it).
        close(fd)
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 16)
        let n = pread(fd, &buf, buf.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf[..<n].filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self))
    }
}
