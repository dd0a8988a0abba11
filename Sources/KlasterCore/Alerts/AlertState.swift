/// What the engine remembers about one rule between evaluations; `klaster
/// check` persists it (table `alert_state`) so a cron-driven check honours
/// `for` and hysteresis.
public struct AlertState: Sendable, Equatable {
    /// The state shown and published (OK, WARNING, CRITICAL or UNKNOWN).
    public var status: AlertStatus
    /// When `status` was entered (end of the window that caused it).
    public var since: EpochMillis
    /// The last data-driven state (never UNKNOWN): the base for hysteresis, so
    /// a missing window does not reset a CRITICAL to OK behind the scenes.
    public var level: AlertStatus
    /// A different state the data calls for but `for` has not yet allowed.
    public var pending: AlertStatus?
    /// Start of the first window of the unbroken run that called for `pending`.
    public var pendingSince: EpochMillis?
    /// End of the last window evaluated; a window is evaluated once.
    public var lastWindowEnd: EpochMillis?
    /// The last window's value, if there was data.
    public var value: Double?

    public init(status: AlertStatus = .ok, since: EpochMillis = 0, level: AlertStatus = .ok, pending: AlertStatus? = nil,
                pendingSince: EpochMillis? = nil, lastWindowEnd: EpochMillis? = nil, value: Double? = nil) {
        self.status = status
        self.since = since
        self.level = level
        self.pending = pending
        self.pendingSince = pendingSince
        self.lastWindowEnd = lastWindowEnd
        self.value = value
    }

    /// A rule never evaluated: OK, no history.
    public static let initial = AlertState()
}

/// What one rule saw in one window: its aggregate, or nothing (missing or
/// stale data → UNKNOWN).
public struct AlertObservation: Sendable, Equatable {
    /// The window's aggregate; `nil` when there was no usable data.
    public var value: Double?
    /// Which series the value comes from (the worst one), for the status text.
    public var subject: String?
    /// Newest reading seen for the rule (for the staleness test and the text).
    public var newestTs: EpochMillis?
    /// Set when every series of the rule is marked stale (Sparkplug NDEATH/DDEATH): since when.
    public var staleSince: EpochMillis?

    public init(value: Double?, subject: String? = nil, newestTs: EpochMillis? = nil, staleSince: EpochMillis? = nil) {
        self.value = value
        self.subject = subject
        self.newestTs = newestTs
        self.staleSince = staleSince
    }

    public static let missing = AlertObservation(value: nil)
}

/// A change of a rule's state; the daemon publishes it retained on
/// `klaster/alerts/<rule>` as JSON (`jsonPayload`, in `AlertTransition+JSON.swift`).
public struct AlertTransition: Sendable, Equatable {
    public var rule: String
    public var from: AlertStatus
    public var to: AlertStatus
    public var value: Double?
    /// The threshold of the state entered (or of the state left, for OK).
    public var threshold: Double?
    /// When the new state began (end of the window that caused it).
    public var since: EpochMillis

    public init(rule: String, from: AlertStatus, to: AlertStatus, value: Double?, threshold: Double?, since: EpochMillis) {
        self.rule = rule
        self.from = from
        self.to = to
        self.value = value
        self.threshold = threshold
        self.since = since
    }

    /// MQTT topic of the rule's retained state message.
    public var topic: String { "klaster/alerts/\(rule)" }
}
