import KlasterCore
@testable import KlasterIngest
import KlasterTestSupport
import Testing

@Suite("Connection state machine") struct ConnectionStateMachineTests {
    typealias M = ConnectionStateMachine

    private func machine(now: Int64 = 0) -> M {
        M(backoff: ReconnectBackoff(minMillis: 100, maxMillis: 1_000), connackTimeout: 15_000, now: now, rng: SplitMix64(seed: 7))
    }

    @Test func connectsAtOnceThenWaitsForTheConnackThenSubscribes() {
        var m = machine()
        #expect(m.tick(now: 0, uncommitted: false) == [.startConnect])
        #expect(m.state == .connecting(since: 0))
        #expect(m.tick(now: 10, uncommitted: false) == [])          // the connector thread is busy
        #expect(m.connectFinished(.ok, now: 20) == [])
        #expect(m.state == .awaitingConnack(deadline: 15_020))
        #expect(m.connackReceived(.ok, now: 30) == [.reportUp(reconnect: false), .subscribe])
        #expect(m.state == .connected(since: 30))
    }

    @Test func noConnackWithinTheTimeoutDropsAndBacksOff() {
        var m = machine()
        _ = m.tick(now: 0, uncommitted: false)
        _ = m.connectFinished(.ok, now: 0)
        #expect(m.tick(now: 15_000, uncommitted: false) == [])      // exactly at the deadline: still in time
        let actions = m.tick(now: 15_001, uncommitted: false)
        #expect(actions == [.dropConnection, .reportDown(reason: "no CONNACK within 15 s")])
        guard case .disconnected(let retryAt) = m.state else { Issue.record("\(m.state)"); return }
        #expect(retryAt >= 15_001 + 100 && retryAt <= 15_001 + 100)  // first delay: the minimum
        #expect(m.tick(now: retryAt - 1, uncommitted: false) == [.waitUntil(retryAt)])
        #expect(m.tick(now: retryAt, uncommitted: false) == [.startConnect])
    }

    @Test func backoffGrowsToItsCapAndResetsOnAConnack() {
        var m = machine()
        var delays: [Int64] = []
        var now: Int64 = 0
        for _ in 0..<6 {
            _ = m.tick(now: now, uncommitted: false)
            _ = m.connectFinished(.transient("Connection refused"), now: now)
            guard case .disconnected(let retryAt) = m.state else { Issue.record("\(m.state)"); return }
            delays.append(retryAt - now)
            now = retryAt
        }
        // [base·2ⁿ/2, base·2ⁿ] capped at 1 s: 100, 100–200, 200–400, 400–800, 500–1000, 500–1000.
        #expect(delays[0] == 100)
        #expect((100...200).contains(delays[1]) && (200...400).contains(delays[2]) && (400...800).contains(delays[3]))
        #expect(delays[4...].allSatisfy { (500...1_000).contains($0) })
        _ = m.tick(now: now, uncommitted: false)
        _ = m.connectFinished(.ok, now: now)
        _ = m.connackReceived(.ok, now: now)
        _ = m.connectionLost("The connection was lost.", now: now)
        guard case .disconnected(let retryAt) = m.state else { Issue.record("\(m.state)"); return }
        #expect(retryAt - now == 100)   // reset by the successful session
    }

    @Test func aRepeatedFailureIsReportedOnce() {
        var m = machine()
        var reports = 0
        var now: Int64 = 0
        for _ in 0..<5 {
            _ = m.tick(now: now, uncommitted: false)
            for a in m.connectFinished(.transient("Connection refused"), now: now) {
                if case .reportDown = a { reports += 1 }
            }
            if case .disconnected(let t) = m.state { now = t }
        }
        #expect(reports == 1)
        _ = m.tick(now: now, uncommitted: false)
        let other = m.connectFinished(.transient("No route to host"), now: now)
        #expect(other == [.reportDown(reason: "No route to host")])
    }

    @Test func neverReconnectsOrWritesBeforeTheCommit() {
        var m = machine()
        #expect(m.tick(now: 0, uncommitted: true) == [.waitForCommit])
        #expect(m.state == .disconnected(retryAt: 0))
        #expect(!M.mayWrite(lastRead: 10, committed: 9))
        #expect(M.mayWrite(lastRead: 10, committed: 10))
        #expect(m.tick(now: 0, uncommitted: false) == [.startConnect])
    }

    @Test func refusedCredentialsStopTheDaemon() {
        var m = machine()
        _ = m.tick(now: 0, uncommitted: false)
        _ = m.connectFinished(.ok, now: 0)
        let refused = KlasterError(.noPermission, "broker refused the connection: not authorised")
        #expect(m.connackReceived(.fatal(refused), now: 5) == [.fail(refused), .dropConnection, .finish])
        #expect(m.state == .stopped)
    }

    @Test func aStopWhileConnectedDrainsAndOneWhileConnectingFinishesAtOnce() {
        var up = machine()
        _ = up.tick(now: 0, uncommitted: false)
        _ = up.connectFinished(.ok, now: 0)
        _ = up.connackReceived(.ok, now: 0)
        #expect(up.stopRequested() == [.drainAndClose])
        #expect(up.state == .draining)
        #expect(up.stopRequested() == [])
        #expect(up.drained() == [.finish])

        // An unreachable host: the connect is still running on its thread.
        var connecting = machine()
        _ = connecting.tick(now: 0, uncommitted: false)
        #expect(connecting.stopRequested() == [.finish])
        #expect(connecting.state == .stopped)
        // Its late result changes nothing.
        #expect(connecting.connectFinished(.ok, now: 120_000) == [.dropConnection])
        #expect(connecting.state == .stopped)
    }

    @Test func aConnectionLostWhileDrainingFinishes() {
        var m = machine()
        _ = m.tick(now: 0, uncommitted: false)
        _ = m.connectFinished(.ok, now: 0)
        _ = m.connackReceived(.ok, now: 0)
        _ = m.stopRequested()
        #expect(m.connectionLost("The connection was lost.", now: 1) == [.finish])
        #expect(m.state == .stopped)
    }
}
