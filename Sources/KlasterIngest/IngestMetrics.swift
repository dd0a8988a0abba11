import KlasterCore
import CoreMetrics
import Metrics

/// The daemon's metrics (swift-metrics; exported by KlasterHTTP as
/// Prometheus text). Created once at startup so every series shows, at 0,
/// from the first scrape.
final class IngestMetrics: Sendable {
    let messagesReceived = Counter(label: "klaster_messages_received_total")
    let readingsCommitted = Counter(label: "klaster_readings_committed_total")
    let duplicates = Counter(label: "klaster_duplicates_total")
    let late = Counter(label: "klaster_late_total")
    let implausible = Counter(label: "klaster_implausible_total")
    let messagesCommitted = Counter(label: "klaster_messages_committed_total")
    let ringOccupancy = Gauge(label: "klaster_ring_occupancy")
    /// Messages per committed batch.
    let batchSize = Recorder(label: "klaster_batch_size", aggregate: true)
    let commitSeconds = Timer(label: "klaster_commit_seconds")
    let connected = Gauge(label: "klaster_mqtt_connected")
    let reconnects = Counter(label: "klaster_reconnects_total")
    private let deadLetters: [RejectReason: Counter]

    init() {
        var d: [RejectReason: Counter] = [:]
        for r in RejectReason.allCases {
            d[r] = Counter(label: "klaster_deadletter_total", dimensions: [("reason", r.rawValue)])
        }
        deadLetters = d
    }

    /// Adds a committed batch's counters.
    func record(committed c: IngestCounters) {
        if c.messages > 0 { messagesCommitted.increment(by: c.messages) }
        if c.readings > 0 { readingsCommitted.increment(by: c.readings) }
        if c.duplicates > 0 { duplicates.increment(by: c.duplicates) }
        if c.late > 0 { late.increment(by: c.late) }
        if c.implausible > 0 { implausible.increment(by: c.implausible) }
        for (reason, n) in c.deadLetters where n > 0 { deadLetters[reason]?.increment(by: n) }
    }
}
