import Foundation
import KlasterCore
import KlasterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A broker that never answers the TCP handshake: a loopback listener whose
/// accept queue is full and never drained, so Linux drops further SYNs and a
/// connect to it hangs for the system's connect timeout (about two minutes).
private final class BlackHoleListener {
    let port: UInt16
    private var fds: [Int32] = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        guard bound == 0, listen(listener, 0) == 0 else { throw KlasterError(.software, "cannot listen on loopback") }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        port = UInt16(bigEndian: addr.sin_port)
        fds.append(listener)
        // Fill the accept queue until a handshake gets no answer: from then on
        // the kernel drops every SYN to this port (the queue is never drained).
        for _ in 0..<32 {
            let c = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(c, $0, len) } }
            fds.append(c)
            var local = sockaddr_in()
            var localLen = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(c, $0, &localLen) } }
            let localPort = UInt16(bigEndian: local.sin_port)
            // A handshake completes within microseconds on loopback; one still unanswered after 300 ms was dropped.
            if waitUntil(timeout: .milliseconds(300), interval: .milliseconds(10), { state(localPort: localPort) != "02" }) { continue }
            return
        }
        throw KlasterError(.software, "the loopback listener's accept queue never filled")
    }

    /// The /proc/net/tcp state of the socket bound to `localPort` towards our port.
    private func state(localPort: UInt16) -> Substring? {
        let table = Self.tcpTable()
        let local = String(format: ":%04X", localPort), remote = String(format: ":%04X", port)
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            if f.count > 3 && f[1].hasSuffix(local) && f[2].hasSuffix(remote) { return f[3] }
        }
        return nil
    }

    deinit { for fd in fds { close(fd) } }

    /// `/proc/net/tcp`, read to its end (procfs reports a size of 0, so a
    /// size-based read would see nothing).
    private static func tcpTable() -> String {
        guard let h = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return "" }
        defer { try? h.close() }
        return String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Sockets of this machine in SYN_SENT towards the port (`/proc/net/tcp`, state 02).
    func hangingConnects() -> Int {
        let table = Self.tcpTable()
        let remote = String(format: ":%04X", port)
        return table.split(separator: "\n").dropFirst().count { line in
            let f = line.split(separator: " ")
            return f.count > 3 && f[2].hasSuffix(remote) && f[3] == "02"
        }
    }
}

@Suite(.serialized) struct IngestUnreachableBrokerTests {
    /// SIGTERM while the connect hangs: the daemon exits at once (exit 0),
    /// instead of waiting out the system's connect timeout.
    @Test func aStopWhileTheConnectHangsIsAnsweredAtOnce() throws {
        let hole = try BlackHoleListener()
        let dir = try TemporaryDirectory(prefix: "unreachable")
        let config = try dir.write("klaster.toml", """
            [mqtt]
            url = "mqtt://127.0.0.1:\(hole.port)"
            client_id = "klaster-unreachable"
            [http]
            listen = ""
            """)
        let daemon = try KlasterBinary.spawn(["ingest", "--config", config, "--db", dir.file("k.db")], environment: ["LOG_LEVEL": "info"],
                                             outputDirectory: dir.path)
        defer { _ = daemon.terminate() }
        // Our own fillers beyond the queue hang too: wait for one more, the daemon's.
        let fillers = hole.hangingConnects()
        #expect(waitUntil(timeout: .seconds(30)) { hole.hangingConnects() > fillers && daemon.stderr.contains("ingest ready") },
                "SYN_SENT \(hole.hangingConnects()) (fillers \(fillers)); stderr: \(daemon.stderr)")
        daemon.signal(SIGTERM)
        // The system's connect timeout is ~2 minutes; a stop must not wait for it.
        #expect(daemon.wait(timeout: .seconds(10)) == 0, "stderr: \(daemon.stderr)")
    }
}
