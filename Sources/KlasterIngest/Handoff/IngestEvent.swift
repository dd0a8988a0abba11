import KlasterCore
import Synchronization

/// One slot of the ring between the network thread and the aggregator
/// thread. A trivial value (no references), so the ring never retains or
/// allocates; the rare events with heap payloads (dead letters, new series)
/// travel through a `SideQueue` and leave only a marker here, in order.
struct IngestEvent: Sendable {
    enum Kind: UInt8, Sendable {
        /// `reading` is a validated reading of the current message.
        case reading
        /// The message `seq` is complete: all its readings precede this event.
        case endOfMessage
        /// Take the next dead letter from the side queue.
        case deadLetter
        /// Take the next new series from the side queue.
        case newSeries
        /// Take the next stale mark from the side queue.
        case staleMark
    }

    var kind: Kind
    var seq: UInt64
    var reading: Reading

    static let blank = Reading(series: 0, ts: 0, value: 0)

    @inline(__always) static func reading(_ r: Reading) -> IngestEvent { IngestEvent(kind: .reading, seq: 0, reading: r) }
    @inline(__always) static func end(_ seq: UInt64) -> IngestEvent { IngestEvent(kind: .endOfMessage, seq: seq, reading: blank) }
    static let deadLetterMarker = IngestEvent(kind: .deadLetter, seq: 0, reading: blank)
    static let newSeriesMarker = IngestEvent(kind: .newSeries, seq: 0, reading: blank)
    static let staleMarker = IngestEvent(kind: .staleMark, seq: 0, reading: blank)
}

/// A FIFO for the rare heap-carrying events, filled by the network thread
/// before it pushes the matching marker into the ring, drained by the
/// aggregator thread when it meets the marker. A `Mutex` is fine at this rate.
final class SideQueue<Element: Sendable>: Sendable {
    private let shared = Mutex<[Element]>([])

    func append(_ e: Element) {
        shared.withLock { $0.append(e) }
    }

    /// Moves everything queued so far to the caller.
    func takeAll() -> [Element] {
        shared.withLock { q in
            let out = q
            q.removeAll()
            return out
        }
    }
}

/// Consumer-side cursor over a `SideQueue`: one lock per refill, not per item.
struct SideQueueReader<Element: Sendable> {
    let queue: SideQueue<Element>
    private var local: [Element] = []
    private var index = 0

    init(_ queue: SideQueue<Element>) { self.queue = queue }

    /// The next element; its marker was seen, so it has been appended already.
    mutating func next() -> Element {
        if index == local.count {
            local = queue.takeAll()
            index = 0
        }
        precondition(index < local.count, "side queue marker without an element")
        defer { index += 1 }
        return local[index]
    }
}
