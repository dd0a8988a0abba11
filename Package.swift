// swift-tools-version:6.1
// Klaster: MQTT telemetry ingestion, time-bucket aggregation and emissions
// reporting for the Sumqayıt "NextGen" industrial cluster.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Klaster",
    products: [
        .executable(name: "klaster", targets: ["klaster"]),
        .library(name: "KlasterCore", targets: ["KlasterCore"]),
        .library(name: "KlasterStore", targets: ["KlasterStore"]),
        .library(name: "KlasterMQTT", targets: ["KlasterMQTT"]),
        .library(name: "KlasterIngest", targets: ["KlasterIngest"]),
        .library(name: "KlasterSimulator", targets: ["KlasterSimulator"]),
        .library(name: "KlasterSparkplug", targets: ["KlasterSparkplug"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // System C libraries. Only KlasterMQTT imports CMosquitto (and CBufferedIO); only KlasterStore imports
        // CSQLite and CLibPQ (the latter only in its Postgres/ folder); CLinux (eventfd, errno)
        // is header-only and used by the ingest pipeline.
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),

        .systemLibrary(name: "CLinux"),

        // Buffered socket I/O beneath libmosquitto (interposed read/write/close for the
        // ingest connection's socket only): one read(2) per 64 KiB instead of three per
        // packet, one write(2) per commit's PUBACKs. Used only by KlasterMQTT.
        .target(name: "CBufferedIO"),

        // Pure domain logic: the model (readings, buckets, batches), payload parsing,
        // series keys, time, buckets and counter deltas, emissions, targets, alert rules. No I/O.
        .target(name: "KlasterCore", swiftSettings: strict),

        // Sparkplug B host logic: the protobuf wire format (decoder and encoder),
        // topics, per edge node alias tables and seq tracking, host STATE. No I/O.
        .target(name: "KlasterSparkplug", dependencies: ["KlasterCore"], swiftSettings: strict),

        // The stores: SQLite (embedded) and PostgreSQL (shared); schema, migrations, batch writer, queries.
        .target(name: "KlasterStore", dependencies: ["KlasterCore", "CSQLite", "CLibPQ"], swiftSettings: strict),

        // The libmosquitto wrapper (one class owning the handle, one error helper) and the publisher.
        .target(name: "KlasterMQTT", dependencies: ["KlasterCore", "CMosquitto", "CBufferedIO"], swiftSettings: strict),

        // The ingest pipeline: Receive/ (connection state machine, receive loop, decoders) →
        // Handoff/ (lock-free ring, commit handshake) → Aggregate/ (aggregator thread, store commits)
        // → Housekeeping/ (alert emitter, retention sweeper). Acknowledges only what is committed.
        .target(
            name: "KlasterIngest",
            dependencies: [
                "KlasterCore", "KlasterStore", "KlasterMQTT", "KlasterSparkplug", "CLinux",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // The deterministic NextGen fleet that `klaster simulate` publishes.
        .target(name: "KlasterSimulator", dependencies: ["KlasterCore", "KlasterSparkplug"], swiftSettings: strict),

        // /metrics and /healthz for the daemon.
        .target(
            name: "KlasterHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // Subcommands, config loading and output formatting.
        .target(
            name: "KlasterCLI",
            dependencies: [
                "KlasterCore", "KlasterStore", "KlasterMQTT", "KlasterIngest", "KlasterSimulator", "KlasterSparkplug", "KlasterHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "klaster", dependencies: ["KlasterCLI"], swiftSettings: strict),

        // Shared by the test targets: a private mosquitto on a free loopback port,
        // temporary directories, running the built `klaster` binary.
        .target(name: "KlasterTestSupport", dependencies: ["KlasterCore"], path: "Tests/KlasterTestSupport", swiftSettings: strict),

        .testTarget(
            name: "KlasterCoreTests",
            dependencies: ["KlasterCore", "KlasterTestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(name: "KlasterSparkplugTests", dependencies: ["KlasterSparkplug", "KlasterCore", "KlasterTestSupport"], swiftSettings: strict),
        .testTarget(name: "KlasterStoreTests", dependencies: ["KlasterStore", "KlasterCore", "KlasterTestSupport"], swiftSettings: strict),
        .testTarget(name: "KlasterMQTTTests", dependencies: ["KlasterMQTT", "KlasterCore", "CBufferedIO", "KlasterTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "KlasterIngestTests",
            dependencies: ["KlasterIngest", "KlasterMQTT", "KlasterStore", "KlasterCore", "KlasterSparkplug", "KlasterTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "KlasterSimulatorTests", dependencies: ["KlasterSimulator", "KlasterCore", "KlasterSparkplug"], swiftSettings: strict),
        .testTarget(
            name: "KlasterCLITests",
            dependencies: ["KlasterCLI", "KlasterStore", "KlasterCore", "KlasterTestSupport", "klaster"],
            resources: [.copy("Golden")],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
