import CBufferedIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The buffered socket I/O beneath libmosquitto (`klaster_bufio.h`), on a
/// connected, non-blocking Unix stream pair: `ours` is attached, `peer` is
/// the other end, read and written with recv/send (which are not interposed).
@Suite struct BufferedIOTests {
    /// False in a ThreadSanitizer build, where the interposers are left out.
    static let available: Bool = {
        var sv: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &sv) == 0 else { return false }
        defer { close(sv[0]); close(sv[1]) }
        return klaster_bufio_attach(sv[0]) == 0
    }()

    final class Pair {
        let ours: Int32
        let peer: Int32
        init(sendBuffer: Int32? = nil) throws {
            var sv: [Int32] = [-1, -1]
            try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &sv) == 0)
            ours = sv[0]
            peer = sv[1]
            if var size = sendBuffer {
                _ = setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            try #require(klaster_bufio_attach(ours) == 0)
        }
        deinit {
            close(ours)
            close(peer)
        }
        func peerSend(_ bytes: [UInt8]) {
            let n = bytes.withUnsafeBytes { send(peer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            precondition(n == bytes.count)
        }
        /// Everything the peer can receive now (nil: nothing, EAGAIN).
        func peerReceive() -> [UInt8]? {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(peer, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n <= 0 { break }
                out += chunk[0..<n]
            }
            return out.isEmpty ? nil : out
        }
        /// Reads up to `n` bytes through the interposed read(2): bytes, or the errno of -1.
        func read(_ n: Int) -> Result<[UInt8], Errno> {
            var buf = [UInt8](repeating: 0, count: n)
            let r = buf.withUnsafeMutableBytes { Glibc.read(ours, $0.baseAddress, n) }
            if r < 0 { return .failure(Errno(errno)) }
            return .success(Array(buf[0..<r]))
        }
        func write(_ bytes: [UInt8]) -> Int {
            bytes.withUnsafeBytes { Glibc.write(ours, $0.baseAddress, $0.count) }
        }
        var stats: klaster_bufio_stats { klaster_bufio_stats_get(ours) }
    }

    struct Errno: Error, Equatable {
        let code: Int32
        init(_ code: Int32) { self.code = code }
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func smallReadsAreServedFromOneSystemCall() throws {
        let p = try Pair()
        // Two MQTT PUBACK-sized packets and a PUBLISH, as libmosquitto reads them:
        // header byte, length byte, body.
        let wire: [UInt8] = [0x40, 0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02, 0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69]
        p.peerSend(wire)
        var got: [UInt8] = []
        for n in [1, 1, 2, 1, 1, 2, 1, 1, 5] { got += try p.read(n).get() }
        #expect(got == wire)
        #expect(p.stats.reads == 1)
        #expect(klaster_bufio_readable(p.ours) == 0)
        // Dry: the kernel's EAGAIN comes through, and counts as a second read.
        #expect(p.read(1) == .failure(Errno(EAGAIN)))
        #expect(p.stats.reads == 2)
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func bufferedBytesAreCountedUntilConsumed() throws {
        let p = try Pair()
        p.peerSend(Array(0..<100))
        #expect(try p.read(10).get() == Array(0..<10))
        #expect(klaster_bufio_readable(p.ours) == 90)
        #expect(try p.read(1_000).get() == Array(10..<100))
        #expect(klaster_bufio_readable(p.ours) == 0)
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func endOfStreamReadsAsZero() throws {
        let p = try Pair()
        p.peerSend([1, 2, 3])
        shutdown(p.peer, Int32(SHUT_WR))
        #expect(try p.read(2).get() == [1, 2])
        #expect(try p.read(2).get() == [3])
        #expect(try p.read(2).get() == [])
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func writesLeaveTogetherOnFlush() throws {
        let p = try Pair()
        #expect(p.write([0x40, 0x02, 0x00, 0x01]) == 4)
        #expect(p.write([0x40, 0x02, 0x00, 0x02]) == 4)
        #expect(p.write([0xC0, 0x00]) == 2)
        #expect(p.peerReceive() == nil)
        #expect(klaster_bufio_unsent(p.ours) == 10)
        #expect(p.stats.writes == 0)
        #expect(klaster_bufio_flush(p.ours) == 0)
        #expect(p.stats.writes == 1)
        #expect(klaster_bufio_unsent(p.ours) == 0)
        #expect(p.peerReceive() == [0x40, 0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02, 0xC0, 0x00])
        // Nothing left: a flush is free.
        #expect(klaster_bufio_flush(p.ours) == 0)
        #expect(p.stats.writes == 1)
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func aFullSocketKeepsTheRestInOrder() throws {
        let p = try Pair(sendBuffer: 4_096)
        var sent: [UInt8] = []
        var counter: UInt8 = 0
        // 200 KiB in 4-byte packets: more than the socket takes at once.
        for _ in 0..<51_200 {
            let packet: [UInt8] = [0x40, 0x02, counter, counter &+ 1]
            counter &+= 1
            #expect(p.write(packet) == 4)
            sent += packet
        }
        #expect(klaster_bufio_flush(p.ours) == 1)
        let left = klaster_bufio_unsent(p.ours)
        #expect(left > 0 && left < sent.count)
        var received: [UInt8] = []
        var rounds = 0
        while received.count < sent.count && rounds < 100_000 {
            received += p.peerReceive() ?? []
            _ = klaster_bufio_flush(p.ours)
            rounds += 1
        }
        #expect(received == sent)
        #expect(klaster_bufio_unsent(p.ours) == 0)
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func aWriteThatDoesNotFitWaitsForPollout() throws {
        let p = try Pair(sendBuffer: 4_096)
        let chunk = [UInt8](repeating: 7, count: 200 * 1024)
        #expect(p.write(chunk) == chunk.count)
        #expect(klaster_bufio_flush(p.ours) == 1)
        // The buffer (256 KiB) holds most of the chunk still: a second one cannot join it.
        #expect(p.write(chunk) == -1)
        #expect(errno == EAGAIN)
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func aFlushToAVanishedPeerFailsWithoutSigpipe() throws {
        let p = try Pair()
        close(p.peer)
        #expect(p.write([0x40, 0x02, 0x00, 0x01]) == 4)
        #expect(klaster_bufio_flush(p.ours) == -1)
        #expect(errno == EPIPE)
        #expect(klaster_bufio_unsent(p.ours) == 0)
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func closeDetachesSoAReusedNumberIsNotBuffered() throws {
        var sv: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &sv) == 0)
        try #require(klaster_bufio_attach(sv[0]) == 0)
        #expect(klaster_bufio_attached(sv[0]) == 1)
        close(sv[0])
        #expect(klaster_bufio_attached(sv[0]) == 0)
        close(sv[1])
    }

    @Test(.enabled(if: BufferedIOTests.available))
    func wakeUpBytesAreSwallowedOnlyForTheCapturedPair() throws {
        var sv: [Int32] = [-1, -1]
        klaster_bufio_capture_wakeup_begin()
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &sv) == 0)
        #expect(klaster_bufio_capture_wakeup_end() == sv[1])
        defer { close(sv[0]); close(sv[1]) }
        var one: UInt8 = 0
        #expect(Glibc.write(sv[1], &one, 1) == 1)
        var byte: UInt8 = 0
        #expect(recv(sv[0], &byte, 1, Int32(MSG_DONTWAIT)) == -1)
        #expect(errno == EAGAIN)
        // A pair created outside a capture is a plain pair.
        var other: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &other) == 0)
        defer { close(other[0]); close(other[1]) }
        #expect(Glibc.write(other[1], &one, 1) == 1)
        #expect(recv(other[0], &byte, 1, Int32(MSG_DONTWAIT)) == 1)
    }
}
