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
        if let failure { throw KlasterError(.ioError, "cannot write to standard output (errno \(failure))") }
    }

    /// A line on stderr (progress, notes); errors are ignored.
    static func note(_ s: String) {
        var s = s
        s.withUTF8 { buf in _ = Glibc.write(STDERR_FILENO, buf.baseAddress, buf.count) }
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
