import Foundation
import KlasterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Opens a TCP connection to 127.0.0.1:`port` and leaves it idle; the descriptor.
private func openIdleConnection(_ port: UInt16) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if rc != 0 { close(fd); return nil }
    return fd
}

/// Whether the peer has closed `fd` (a read returns end of file).
private func closedByPeer(_ fd: Int32) -> Bool {
    var byte: UInt8 = 0
    return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0
}

extension IngestIntegrationTests {
    /// 19,990 idle connections used to exhaust the daemon's descriptors. Now
    /// the listener keeps at most 256 and closes idle or slow ones (10 s), so
    /// /healthz still answers while many more sit idle or trickle a header.
    @Test func idleConnectionsCannotStarveHealthz() throws {
        let port = freeLoopbackPort()
        let h = try IngestHarness()
        try h.registerSession()
        let daemon = try h.spawnIngest(["--http", "127.0.0.1:\(port)"])
        func healthz() -> Bool {
            let r = try? runCommand("/usr/bin/curl", ["-s", "-m", "5", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/healthz"], timeout: .seconds(10))
            return r?.stdout.hasSuffix("\n200") ?? false
        }
        #expect(waitUntil(timeout: .seconds(20)) { healthz() }, "\(daemon.stderr)")
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<400 { if let fd = openIdleConnection(port) { idle.append(fd) } }
        // One more that sends half a request head and stops.
        if let slow = openIdleConnection(port) {
            idle.append(slow)
            let partial = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8)
            _ = partial.withUnsafeBytes { send(slow, $0.baseAddress, $0.count, 0) }
        }
        #expect(idle.count == 401)
        // The server closes the idle ones and the half-sent head (10 s without
        // a complete request) and serves a new client.
        #expect(waitUntil(timeout: .seconds(40), interval: .milliseconds(200)) { closedByPeer(idle[0]) && closedByPeer(idle[400]) })
        #expect(waitUntil(timeout: .seconds(40), interval: .milliseconds(200)) { healthz() }, "\(daemon.stderr)")
        #expect(daemon.isRunning)
        #expect(daemon.terminate() == 0)
    }
}
