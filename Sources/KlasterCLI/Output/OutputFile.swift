#if canImport(Glibc)
import Glibc
#endif
import KlasterCore

/// Writes a whole output file (`report --out`) so that a reader never sees a
/// half-written page and nothing but a regular file is ever replaced.
///
/// The bytes go to a new temporary file beside the target (`O_EXCL`, so an
/// existing name is never followed), are flushed to disk, and the temporary
/// file is renamed over the target. A target that exists and is not a regular
/// file — a symlink, a FIFO, a device node such as `/dev/full`, a directory —
/// is refused before anything is written: renaming over it would replace the
/// node itself.
enum OutputFile {
    /// - Parameters:
    ///   - bytes: The complete contents.
    ///   - path: The target file; created, or atomically replaced when it is a regular file.
    /// - Throws: `KlasterError(.ioError)` (exit 74) when the target is not a
    ///   regular file or any step fails; the target is then unchanged.
    static func write(_ bytes: [UInt8], to path: String) throws(KlasterError) {
        var mode: mode_t = 0o644
        var st = stat()
        if lstat(path, &st) == 0 {
            let type = st.st_mode & S_IFMT
            guard type == S_IFREG else {
                throw KlasterError(.ioError, "refusing to replace \(path): it is \(describe(type)), not a regular file",
                                   hint: "give the path of a regular file or of a new one")
            }
            mode = st.st_mode & 0o7777
        } else if errno != ENOENT {
            throw failure("cannot write \(path)", errno)
        }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(dir.isEmpty ? "/" : dir)/.\(base).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot write \(path)", errno) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        let writeError: Int32? = bytes.withUnsafeBufferPointer { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                off += n
            }
            return nil
        }
        if let writeError { close(fd); throw failure("cannot write \(path)", writeError) }
        if fchmod(fd, mode) != 0 || fsync(fd) != 0 { let e = errno; close(fd); throw failure("cannot write \(path)", e) }
        if close(fd) != 0 { throw failure("cannot write \(path)", errno) }
        if rename(temporary, path) != 0 { throw failure("cannot write \(path)", errno) }
        ok = true
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a plain file"
        }
    }

    /// The one error line for a failed system call, with the system's words for `code`.
    static func failure(_ what: String, _ code: Int32) -> KlasterError {
        let reason = String(cString: strerror(code))
        let hint = switch code {
        case ENOSPC, EDQUOT: "free some space and run it again"
        case EACCES, EPERM, EROFS: "check the permissions of the directory"
        case ENOENT, ENOTDIR: "check that the directory exists"
        default: "check the path"
        }
        return KlasterError(.ioError, "\(what): \(reason)", hint: hint)
    }
}
