import Synchronization

/// The baseline the SPSC ring is measured against: a bounded ring array
/// behind a stdlib `Mutex`, one lock round per item. Benchmarks only.
final class MutexQueue<Element: Sendable>: Sendable {
    struct State: ~Copyable {
        var slots: [Element?]
        var head = 0
        var count = 0
    }

    let state: Mutex<State>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(slots: Array(repeating: nil, count: capacity)))
    }

    func tryPush(_ e: Element) -> Bool {
        state.withLock { s in
            if s.count == s.slots.count { return false }
            var i = s.head + s.count
            if i >= s.slots.count { i -= s.slots.count }
            s.slots[i] = e
            s.count += 1
            return true
        }
    }

    func tryPop() -> Element? {
        state.withLock { s in
            if s.count == 0 { return nil }
            let e = s.slots[s.head]
            s.slots[s.head] = nil
            s.head += 1
            if s.head == s.slots.count { s.head = 0 }
            s.count -= 1
            return e
        }
    }
}
