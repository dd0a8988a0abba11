import KlasterCore

/// Orders one edge node's messages by their `seq` (0–255, wrapping), holding
/// early ones back until the missing ones arrive or `reorder_timeout` passes.
///
/// A pure state machine: `receive` and `expire` return what to process, in
/// order, and whether a gap timed out (then the host asks for a Rebirth).
/// A message whose seq is behind the expected one (a duplicate or very late)
/// is processed at once: the (series, ts) dedupe makes a replay harmless.
public struct SeqTracker<Message> {
    /// The seq the next in-order message carries; `nil` before the first NBIRTH.
    public private(set) var expected: UInt8?
    /// Early messages by seq.
    private var pending: [UInt8: Message] = [:]
    /// When the oldest open gap opened (receive time, ms).
    public private(set) var gapSince: EpochMillis?
    /// Most messages held back before the gap counts as timed out.
    public let capacity: Int

    public init(capacity: Int = 128) {
        self.capacity = min(max(capacity, 1), 255)
    }

    /// Number of messages held back.
    public var pendingCount: Int { pending.count }

    /// What to do after a message or a timer.
    public struct Release {
        /// Messages to process now, in seq order.
        public var messages: [Message] = []
        /// True when a gap stayed open past the timeout (or the buffer filled):
        /// the messages after it are released anyway and a Rebirth is due.
        public var gapExpired = false
        /// The seq values that never arrived, when `gapExpired`.
        public var missing: [UInt8] = []
    }

    /// Starts a new sequence (NBIRTH with seq `birthSeq`). Messages still held
    /// back from before are returned for processing first.
    public mutating func restart(birthSeq: UInt8) -> [Message] {
        let old = drainAll().messages
        expected = birthSeq &+ 1
        gapSince = nil
        return old
    }

    /// Forgets the sequence (NDEATH): held-back messages are returned.
    public mutating func stop() -> [Message] {
        let old = drainAll().messages
        expected = nil
        gapSince = nil
        return old
    }

    /// What to do with a message that carries `seq`.
    public enum Admission: Equatable {
        /// Process it now (in order, behind, or no sequence yet); when
        /// `thenDrain`, call `drainReady()` afterwards: held-back messages follow it.
        case processNow(thenDrain: Bool)
        /// It is early: `hold` it until the gap before it fills or times out.
        case hold
    }

    /// Classifies a DATA/DBIRTH/DDEATH message by its seq, advancing the
    /// expected seq when it is the next one. No allocation: the caller copies
    /// the message only when told to hold it.
    @inline(__always)
    public mutating func admit(seq: UInt8) -> Admission {
        guard let exp = expected else { return .processNow(thenDrain: false) }
        let distance = seq &- exp
        if distance == 0 {
            expected = exp &+ 1
            return .processNow(thenDrain: !pending.isEmpty)
        }
        // Behind: already passed (a duplicate or very late); process without moving.
        if distance >= 128 { return .processNow(thenDrain: false) }
        return .hold
    }

    /// Holds an early message (after `admit` said `.hold`).
    /// - Returns: What to release now: nothing, or everything when the buffer
    ///   is full or the gap has been open for `timeout` ms.
    public mutating func hold(_ message: Message, seq: UInt8, now: EpochMillis, timeout: Int64) -> Release {
        pending[seq] = message
        if gapSince == nil { gapSince = now }
        if pending.count >= capacity { return drainAll() }
        return expire(now: now, timeout: timeout)
    }

    /// Held-back messages that are in order now (after `.processNow(thenDrain: true)`).
    public mutating func drainReady() -> Release {
        var r = Release()
        drainInOrder(into: &r)
        return r
    }

    /// Convenience for tests: `admit`, then `hold` or `drainReady`.
    public mutating func receive(_ message: Message, seq: UInt8, now: EpochMillis, timeout: Int64) -> Release {
        switch admit(seq: seq) {
        case .processNow(let drain):
            var r = drain ? drainReady() : Release()
            r.messages.insert(message, at: 0)
            return r
        case .hold:
            return hold(message, seq: seq, now: now, timeout: timeout)
        }
    }

    /// Releases everything held back when the gap has been open for `timeout` ms.
    public mutating func expire(now: EpochMillis, timeout: Int64) -> Release {
        guard let since = gapSince, now - since >= timeout else { return Release() }
        return drainAll()
    }

    private mutating func drainInOrder(into r: inout Release) {
        guard var exp = expected else { return }
        while let m = pending.removeValue(forKey: exp) {
            r.messages.append(m)
            exp = exp &+ 1
        }
        expected = exp
        gapSince = pending.isEmpty ? nil : gapSince
    }

    /// Releases all held-back messages in seq order from `expected`, skipping the gaps.
    private mutating func drainAll() -> Release {
        var r = Release()
        guard var exp = expected, !pending.isEmpty else { gapSince = nil; return r }
        r.gapExpired = true
        while !pending.isEmpty {
            if let m = pending.removeValue(forKey: exp) {
                r.messages.append(m)
            } else {
                r.missing.append(exp)
            }
            exp = exp &+ 1
        }
        expected = exp
        gapSince = nil
        return r
    }
}

/// At most one Rebirth request per edge node every `interval` ms.
public struct RebirthPolicy: Sendable {
    public let interval: Int64
    private var last: [String: EpochMillis] = [:]

    public init(interval: Int64) {
        self.interval = interval
    }

    /// Whether a Rebirth may be sent to `node` (`group/edge`) now; records it if so.
    public mutating func shouldRequest(node: String, now: EpochMillis) -> Bool {
        if let t = last[node], now - t < interval { return false }
        last[node] = now
        return true
    }
}
