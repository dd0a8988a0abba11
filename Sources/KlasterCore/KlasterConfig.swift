/// The whole configuration (`klaster.toml`), with the defaults of README "Configuration reference".
/// Loading from TOML lives in KlasterCLI (`ConfigLoader`); this is plain data.
/// Durations are stored in milliseconds.
public struct KlasterConfig: Sendable, Equatable {
    public struct MQTT: Sendable, Equatable {
        public var url = "mqtt://127.0.0.1:1883"
        public var clientID = "klaster-1"
        public var topics = ["nextgen/#"]
        public var topicPattern = "nextgen/{plant}/{meter}/{quantity}"
        public var qos: Int32 = 1
        /// 4 = MQTT 3.1.1 (clean_session=false), 5 = MQTT 5 with a session expiry.
        public var protocolVersion = 4
        public var sessionExpiry: Int64 = 7 * 86_400_000
        public var sharedGroup: String?
        public var username: String?
        public var passwordFile: String?
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        /// Tests only: accept any server certificate host name.
        public var tlsInsecure = false
        public var keepAlive: Int32 = 30
        /// `mqtt.buffered_io`: ingest reads its plain TCP connection 64 KiB at a
        /// time and sends a commit's acknowledgements in one write.
        public var bufferedIO = true
        public var reconnectMin: Int64 = 500
        public var reconnectMax: Int64 = 30_000
        public init() {}
    }

    public struct Storage: Sendable, Equatable {
        public enum Durability: String, Sendable, Equatable { case process, power }
        /// `storage.backend`: the embedded SQLite file or a shared PostgreSQL database.
        public enum Backend: String, Sendable, Equatable { case sqlite, postgres }
        public var backend = Backend.sqlite
        public var path = "klaster.db"
        /// `storage.url` (postgres): a libpq connection URI, without the password.
        public var url = "postgresql://klaster@127.0.0.1:5432/klaster"
        /// `storage.password_file` (postgres): first line is the password;
        /// else PGPASSWORD or KLASTER_PG_PASSWORD from the environment.
        public var passwordFile: String?
        public var durability = Durability.process
        public var rawRetention: Int64 = 30 * 86_400_000
        /// Per width (by its millis), how long bucket rows are kept; absent = forever.
        public var bucketRetention: [Int64: Int64] = [:]
        public init() {}
    }

    public struct Buckets: Sendable, Equatable {
        public var widths: [BucketWidth] = BucketWidth.defaults
        public var allowedLateness: Int64 = 300_000
        public var timezone = "Asia/Baku"
        public init() {}

        /// The store keeps the finest width's final buckets and merges each
        /// into the coarser widths, so every width must be a multiple of the
        /// finest one (aligned at the epoch, each finest bucket then lies in
        /// exactly one bucket of every width).
        /// - Throws: `.config` naming the width that is not.
        public func validateForStorage() throws(KlasterError) {
            guard let finest = widths.min() else {
                throw KlasterError(.config, "buckets.widths is empty", hint: "list at least one width, e.g. [\"1m\", \"15m\", \"1h\", \"1d\"]")
            }
            for w in widths where w.millis % finest.millis != 0 {
                throw KlasterError(.config, "buckets.widths: \(w) is not a multiple of the finest width \(finest)",
                                   hint: "use widths that are multiples of \(finest), e.g. [\"1m\", \"15m\", \"1h\", \"1d\"]")
            }
        }
    }

    public struct Ingest: Sendable, Equatable {
        /// Readings with ts further than this ahead of the receive clock are rejected.
        public var maxFuture: Int64 = 300_000
        /// Readings before this instant are rejected (`bad_timestamp`): a `ts`
        /// in epoch seconds or a gateway's 0 would otherwise land in 1970.
        public var minTs: EpochMillis = PayloadParser.defaultMinTs
        /// A batch closes at this many messages…
        public var batchMaxMessages = 5_000
        /// …or this long after its first message.
        public var batchMaxDelay: Int64 = 50
        /// Slots of the lock-free ring between the network and aggregator threads.
        public var ringCapacity = 65_536
        /// Largest accepted payload, bytes.
        public var maxPayloadBytes = 256 * 1024
        /// Most series the daemon (or an import) knows; a message that would
        /// create one more is dead-lettered `too_many_series`. Bounds the
        /// per-series memory (resolver, aggregator): 600,000 distinct topics
        /// leave ingest well under 256 MB with this default (README).
        public var maxSeries = 50_000
        public init() {}
    }

    public struct HTTP: Sendable, Equatable {
        public var listen: String? = "127.0.0.1:9464"
        public init() {}
    }

    /// `[sparkplug]`: Klaster as a Sparkplug B host application.
    public struct Sparkplug: Sendable, Equatable {
        /// Publishes `spBv1.0/STATE/<host_id>` when set; unset = not a primary host.
        public var hostID: String?
        /// Subscribes `spBv1.0/<group>/#` for each (`+` = every group); empty = Sparkplug off.
        public var groups: [String] = []
        /// How long a `seq` gap may stay open before the node is asked to rebirth, ms.
        public var reorderTimeout: Int64 = 2_000
        /// At most one Rebirth request per edge node this often, ms.
        public var rebirthInterval: Int64 = 5_000
        /// `[sparkplug.metrics]`: metric name → quantity (the series key's last level).
        public var metrics: [String: String] = [:]
        public init() {}

        /// True when Sparkplug topics are subscribed.
        public var isEnabled: Bool { !groups.isEmpty }
    }

    public struct Emissions: Sendable, Equatable {
        /// Scope-2 method that targets, alerts on emissions groups, CBAM's
        /// indirect emissions and the report's pathway use (`emissions.scope2_method`).
        /// `emissions --by scope` shows both where market factors exist.
        public var scope2Method = EmissionFactor.Method.location
        public init() {}
    }

    public var mqtt = MQTT()
    public var storage = Storage()
    public var buckets = Buckets()
    public var ingest = Ingest()
    public var http = HTTP()
    public var sparkplug = Sparkplug()
    public var quantities = QuantityTable()
    public var factors: [EmissionFactor] = []
    public var targets: [Target] = []
    public var alerts: [AlertRule] = []
    public var emissions = Emissions()
    /// `[[cbam.goods]]`, in config order.
    public var cbamGoods: [CbamGood] = []

    public init() {}
}

extension KlasterConfig {
    /// Shared mode (README "Scaling out"): `storage.backend = "postgres"` and
    /// `mqtt.shared_group` set. Then several ingesters may receive readings of
    /// one series, so each stores raw readings only and a shared finalising
    /// step computes the buckets from all of them. (SQLite has one writer per
    /// file: there a shared group only spreads load between databases.)
    public var isSharedIngest: Bool {
        storage.backend == .postgres && !(mqtt.sharedGroup ?? "").isEmpty
    }
}
