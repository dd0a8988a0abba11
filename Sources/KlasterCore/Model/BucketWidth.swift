/// A stored bucket width (`1m`, `15m`, `1h`, `1d`), aligned in UTC:
/// `start = floor(ts / width) * width`.
public struct BucketWidth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let millis: Int64

    public init(millis: Int64) {
        precondition(millis > 0, "bucket width must be positive")
        self.millis = millis
    }

    public static let minute = BucketWidth(millis: 60_000)
    public static let quarterHour = BucketWidth(millis: 900_000)
    public static let hour = BucketWidth(millis: 3_600_000)
    public static let day = BucketWidth(millis: 86_400_000)
    public static let defaults: [BucketWidth] = [.minute, .quarterHour, .hour, .day]

    /// Start of the bucket holding `ts` (floor division, correct for negative ts).
    @inlinable
    public func start(of ts: EpochMillis) -> EpochMillis {
        let q = ts / millis
        return (ts % millis < 0 ? q - 1 : q) * millis
    }

    /// Short name as used in config and output: `1m`, `15m`, `1h`, `1d`, `90s`, `500ms`.
    public var description: String {
        if millis % 86_400_000 == 0 { return "\(millis / 86_400_000)d" }
        if millis % 3_600_000 == 0 { return "\(millis / 3_600_000)h" }
        if millis % 60_000 == 0 { return "\(millis / 60_000)m" }
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        return "\(millis)ms"
    }

    public static func < (a: BucketWidth, b: BucketWidth) -> Bool { a.millis < b.millis }
}
