import KlasterCore

/// A message held back by the reorder buffer: an owned copy of it.
struct HeldMessage {
    var topic: String
    var type: SparkplugMessageType
    var device: String?
    var payload: [UInt8]
    var receivedAt: EpochMillis
}

/// What the host knows about one edge node (`group/edge`): its alias tables
/// from the latest NBIRTH and DBIRTHs, its bdSeq, whether it is online, and
/// its seq ordering. A class: the host mutates it in place, on the network
/// thread only.
final class EdgeNode {
    let group: String
    let edge: String
    /// True between an NBIRTH and its NDEATH.
    var online = false
    /// `bdSeq` of the current NBIRTH (its NDEATH must carry the same).
    var bdSeq: UInt64?
    var nodeMetrics = AliasTable()
    var devices: [String: AliasTable] = [:]
    var seq: SeqTracker<HeldMessage>

    init(group: String, edge: String, reorderCapacity: Int) {
        self.group = group
        self.edge = edge
        seq = SeqTracker(capacity: reorderCapacity)
    }

    /// Every stored series of the node and its devices.
    var allSeries: [SeriesID] {
        nodeMetrics.series + devices.values.flatMap(\.series)
    }
}
