import Synchronization

/// A bounded, lock-free ring for exactly one producer thread and one consumer
/// thread (rigtorp's SPSCQueue design).
///
/// - Capacity is fixed at creation (a power of two); pushing and popping never
///   allocate.
/// - `tryPush` and `tryPop` are wait-free: each finishes in a bounded number
///   of steps whatever the other side does.
/// - The producer's index (`tail`) and the consumer's index (`head`) live on
///   separate cache lines, and each side keeps a private cached copy of the
///   other side's index on a line of its own, so in the common case a push or
///   a pop touches no cache line the other core is writing.
///
/// The indices count up without wrapping (an `Int` does not overflow in the
/// lifetime of a process at 10⁹ items/s for 292 years); the slot of index `i`
/// is `i & (capacity - 1)`, so all `capacity` slots are usable.
///
/// ## Contract
/// At any moment at most one thread may act as the producer (`tryPush`,
/// `push`) and at most one as the consumer (`tryPop`, `popMany`). Handing a
/// role to another thread is allowed only with a happens-before edge between
/// the old and the new owner (a thread join, a lock, a `Mutex`). `occupancy`
/// and `capacity` may be read from any thread.
public final class SPSCRing<Element: Sendable>: @unchecked Sendable {
    // `@unchecked Sendable`: the slots are plain memory shared by two threads.
    // This is safe under the SPSC contract above: a slot is written only by the
    // producer while it lies between `tail` and `head + capacity` (which the
    // consumer does not read), and read only by the consumer while it lies
    // between `head` and `tail` (which the producer does not write); every
    // hand-over of a slot goes through a release store of an index that the
    // other side loads with acquire ordering. The cached indices are each
    // touched by one side only. `Element` must be `Sendable` because the
    // elements themselves cross from the producer thread to the consumer.

    /// Number of slots; a power of two.
    public let capacity: Int
    @usableFromInline let mask: Int
    @usableFromInline let slots: UnsafeMutablePointer<Element>

    /// Four lines of `Self.lineSize` bytes: [tail][producer's head cache]
    /// [head][consumer's tail cache].
    @usableFromInline let lines: UnsafeMutableRawPointer
    /// Next index to write. Written by the producer only.
    @usableFromInline let tail: UnsafeMutablePointer<Atomic<Int>>
    /// Producer's private copy of `head` (a lower bound of it).
    @usableFromInline let headCache: UnsafeMutablePointer<Int>
    /// Next index to read. Written by the consumer only.
    @usableFromInline let head: UnsafeMutablePointer<Atomic<Int>>
    /// Consumer's private copy of `tail` (a lower bound of it).
    @usableFromInline let tailCache: UnsafeMutablePointer<Int>

    /// 128 bytes rather than 64: Intel's adjacent-line prefetcher pulls pairs
    /// of 64-byte lines, which would make neighbours share anyway.
    @usableFromInline static var lineSize: Int { 128 }

    /// Creates an empty ring.
    /// - Parameter capacity: number of slots, a power of two ≥ 2.
    public init(capacity: Int) {
        precondition(capacity >= 2 && capacity & (capacity - 1) == 0,
                     "SPSCRing capacity must be a power of two ≥ 2, got \(capacity)")
        self.capacity = capacity
        self.mask = capacity - 1
        self.slots = .allocate(capacity: capacity)
        let line = Self.lineSize
        self.lines = .allocate(byteCount: 4 * line, alignment: line)
        self.tail = (lines).bindMemory(to: Atomic<Int>.self, capacity: 1)
        self.tail.initialize(to: Atomic(0))
        self.headCache = (lines + line).bindMemory(to: Int.self, capacity: 1)
        self.headCache.initialize(to: 0)
        self.head = (lines + 2 * line).bindMemory(to: Atomic<Int>.self, capacity: 1)
        self.head.initialize(to: Atomic(0))
        self.tailCache = (lines + 3 * line).bindMemory(to: Int.self, capacity: 1)
        self.tailCache.initialize(to: 0)
    }

    deinit {
        // No other thread can hold a reference any more, so relaxed loads see
        // the final values (deinit runs after the last release, which
        // synchronises with every earlier use).
        let h = head.pointee.load(ordering: .relaxed)
        let t = tail.pointee.load(ordering: .relaxed)
        var i = h
        while i != t {
            (slots + (i & mask)).deinitialize(count: 1)
            i &+= 1
        }
        slots.deallocate()
        tail.deinitialize(count: 1)
        head.deinitialize(count: 1)
        lines.deallocate()
    }

    // MARK: Producer side

    /// Appends `element` if there is a free slot. Producer thread only.
    /// - Returns: `false` (and leaves the ring unchanged) when the ring is full.
    /// - Complexity: O(1), wait-free, no allocation.
    @inlinable
    public func tryPush(_ element: Element) -> Bool {
        // Relaxed: only this (producer) thread ever stores `tail`, so it reads
        // its own latest write without any ordering.
        let t = tail.pointee.load(ordering: .relaxed)
        if t &- headCache.pointee == capacity {
            // Acquiring: pairs with the consumer's releasing store of `head`
            // in `tryPop`/`popMany`, so the consumer's moves out of the slots
            // below the new `head` happen before we overwrite them here.
            headCache.pointee = head.pointee.load(ordering: .acquiring)
            if t &- headCache.pointee == capacity { return false }
        }
        (slots + (t & mask)).initialize(to: element)
        // Releasing: publishes the slot's initialisation above to the
        // consumer's acquiring load of `tail`.
        tail.pointee.store(t &+ 1, ordering: .releasing)
        return true
    }

    /// Appends `element`, waiting while the ring is full (back-pressure: it
    /// never drops). Spins briefly, then yields the CPU, then sleeps in small
    /// steps (see ``RingBackoff``). Producer thread only.
    /// - Parameters:
    ///   - element: the item to append.
    ///   - shouldGiveUp: polled while waiting; when it returns `true` the push
    ///     is abandoned (for shutdown when the consumer has gone away).
    /// - Returns: `true` once pushed, `false` if `shouldGiveUp` stopped it.
    @inlinable
    @discardableResult
    public func push(_ element: Element, shouldGiveUp: () -> Bool = { false }) -> Bool {
        if tryPush(element) { return true }
        var backoff = RingBackoff()
        while true {
            backoff.wait()
            if tryPush(element) { return true }
            if backoff.isPastSpinning && shouldGiveUp() { return false }
        }
    }

    // MARK: Consumer side

    /// Removes and returns the oldest element, or `nil` when the ring is empty.
    /// Consumer thread only.
    /// - Complexity: O(1), wait-free, no allocation.
    @inlinable
    public func tryPop() -> Element? {
        // Relaxed: only this (consumer) thread ever stores `head`.
        let h = head.pointee.load(ordering: .relaxed)
        if h == tailCache.pointee {
            // Acquiring: pairs with the producer's releasing store of `tail`,
            // so the initialisation of every slot below it is visible here.
            tailCache.pointee = tail.pointee.load(ordering: .acquiring)
            if h == tailCache.pointee { return nil }
        }
        let element = (slots + (h & mask)).move()
        // Releasing: the move out of the slot above happens before the
        // producer (acquiring load of `head`) reuses the slot.
        head.pointee.store(h &+ 1, ordering: .releasing)
        return element
    }

    /// Moves up to `max` of the oldest elements to the end of `buffer`, and
    /// frees their slots with a single index update. Consumer thread only.
    /// - Parameters:
    ///   - max: the most elements to take.
    ///   - buffer: receives the elements in order; reserve its capacity once
    ///     and reuse it (`removeAll(keepingCapacity: true)`) so that no call
    ///     allocates.
    /// - Returns: the number of elements moved (0 when the ring is empty).
    /// - Complexity: O(n) in the number moved, wait-free.
    @inlinable
    @discardableResult
    public func popMany(max: Int, into buffer: inout [Element]) -> Int {
        // Relaxed: own index, see `tryPop`.
        let h = head.pointee.load(ordering: .relaxed)
        var available = tailCache.pointee &- h
        if available < max {
            // Acquiring: pairs with the producer's releasing store of `tail`
            // (see `tryPop`); refresh only when the cached view is not enough.
            tailCache.pointee = tail.pointee.load(ordering: .acquiring)
            available = tailCache.pointee &- h
        }
        let n = Swift.min(available, max)
        if n <= 0 { return 0 }
        var i = h
        let end = h &+ n
        while i != end {
            buffer.append((slots + (i & mask)).move())
            i &+= 1
        }
        // Releasing: all the moves above happen before the producer reuses
        // these slots (pairs with its acquiring load of `head`).
        head.pointee.store(end, ordering: .releasing)
        return n
    }

    // MARK: Any thread

    /// Elements currently in the ring (a snapshot, for metrics). Any thread.
    public var occupancy: Int {
        // Relaxed: a monitoring figure; no memory is accessed based on it.
        // Loading `head` first and clamping keeps it within 0...capacity even
        // when both indices move between the two loads.
        let h = head.pointee.load(ordering: .relaxed)
        let t = tail.pointee.load(ordering: .relaxed)
        return Swift.min(Swift.max(t &- h, 0), capacity)
    }
}
