/// Work the aggregator thread does between commits, off the acknowledgement
/// path: evaluating alert rules, deleting expired rows, and whatever comes
/// next (the live report's cache, Sparkplug host state). Each task decides
/// for itself whether it is due; the aggregator only tells it when.
protocol HousekeepingTask: AnyObject {
    /// A commit was published (its PUBACKs are already free to go). Called
    /// while a stream keeps the aggregator busy: do only what is overdue.
    func committed()
    /// The aggregator has nothing pending and the ring is empty: a good moment.
    func idle()
    /// The daemon is stopping: finish or drop what is in flight.
    func finish()
}
