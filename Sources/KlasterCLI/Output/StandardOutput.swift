#if canImport(Glibc)
import Glibc
#endif
import KlasterCore

/// Writes to stdout / stderr with `write(2)`, all bytes or a `KlasterError`.
enum StandardOutput {
    static func write(_ s: String) throws(KlasterError) {
        try writeBytes(Array(s.utf8))
    }

    /// Writes all bytes to stdout (a closed pipe ends output quietly).
    static func writeBytes(_ bytes: [UInt8]) throws(KlasterError) {
        let failure: Int32? = bytes.withUnsafeBufferPointer { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(STDOUT_FILENO, buf.baseAddress! + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno == EPIPE ? nil : errno
                }
                off += n
            }
            return nil
        }
        if let failure { throw OutputFile.failure("cannot write to standard output", failure) }
    }

    /// Flushes what `print` left in stdio's buffer and reports a write that
    /// failed on the way (`klaster query … > /dev/full`): stdio drops such
    /// errors silently, so the process would exit 0 with its output lost.
    /// A closed pipe (`| head`) is not an error.
    static func finish() throws(KlasterError) {
        // fflush(NULL) flushes every stream; glibc keeps unwritten bytes
        // buffered after a failed write, so an earlier failure fails here again.
        errno = 0
        if fflush(nil) != 0 {
            let code = errno == 0 ? EIO : errno
            if code != EPIPE { throw OutputFile.failure("cannot write to standard output", code) }
        }
    }

    /// A line on stderr (progress, notes); errors are ignored.
    static func note(_ s: String) {
        var s = s
        s.withUTF8 { buf in _ = Glibc.write(STDERR_FILENO, buf.baseAddress, buf.count) }
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
