import Foundation
import KlasterCLI
import KlasterCore
import KlasterTestSupport
import Testing

/// Values that parse but that Klaster cannot run with are refused when the
/// config is read, as one line and exit 78 (EX_CONFIG) — before any command
/// allocates a ring of 2⁶³ slots or subtracts 10¹⁵ days from the clock.
@Test(arguments: [
    ("[ingest]\nring_capacity = 9223372036854775807\n", "ingest.ring_capacity is 9223372036854775807, outside 2…4194304"),
    ("[ingest]\nring_capacity = 1000000000\n", "ingest.ring_capacity is 1000000000, outside 2…4194304"),
    ("[ingest]\nring_capacity = 1\n", "ingest.ring_capacity is 1, outside 2…4194304"),
    ("[ingest]\nbatch_max_messages = 0\n", "ingest.batch_max_messages is 0, outside 1…1000000"),
    ("[ingest]\nbatch_max_messages = 9223372036854775807\n", "ingest.batch_max_messages is 9223372036854775807, outside 1…1000000"),
    ("[ingest]\nbatch_max_delay = \"0s\"\n", "ingest.batch_max_delay is 0s, outside 1ms…1m"),
    ("[ingest]\nbatch_max_delay = \"2h\"\n", "ingest.batch_max_delay is 2h, outside 1ms…1m"),
    ("[ingest]\nmax_payload_bytes = 300000000\n", "ingest.max_payload_bytes is 300000000, outside 1…268435455"),
    ("[ingest]\nmax_future = \"400d\"\n", "ingest.max_future is 400d, outside 0s…365d"),
    ("[buckets]\nallowed_lateness = \"2d\"\n", "buckets.allowed_lateness is 2d, outside 0s…1d"),
    ("[storage]\nraw_retention = \"100000000d\"\n", "storage.raw_retention is 100000000d, outside 0s…36500d"),
    ("[mqtt]\nreconnect_max = \"2h\"\n", "mqtt.reconnect_max is 2h, outside 1ms…1h"),
    ("[mqtt]\nreconnect_min = \"1m\"\nreconnect_max = \"10s\"\n", "mqtt.reconnect_min (1m) is above reconnect_max (10s)"),
])
func configValueOutOfRangeIsExit78(text: String, message: String) {
    #expect {
        _ = try ConfigLoader.parse(text, file: "k.toml")
    } throws: { error in
        guard let e = error as? KlasterError else { return false }
        return e.code == .config && e.message == "k.toml: \(message)"
    }
}

@Test func theLimitsThemselvesAreAccepted() throws {
    let c = try ConfigLoader.parse("""
        [ingest]
        ring_capacity = 4194304
        batch_max_messages = 1000000
        batch_max_delay = "1m"
        max_payload_bytes = 268435455
        [buckets]
        allowed_lateness = "1d"
        """, file: "k.toml")
    #expect(c.ingest.ringCapacity == 4_194_304)
    #expect(c.ingest.batchMaxMessages == 1_000_000)
    #expect(c.ingest.batchMaxDelay == 60_000)
    #expect(c.ingest.maxPayloadBytes == 268_435_455)
    #expect(c.buckets.allowedLateness == 86_400_000)
}

/// The reproduction of the issue: this config made `klaster ingest` spin at
/// 100 % CPU forever; now every command refuses it at once.
@Test func hugeRingCapacityStopsTheCommandWithOneLine() throws {
    let dir = try TemporaryDirectory(prefix: "range")
    let config = try dir.write("k.toml", "[ingest]\nring_capacity = 9223372036854775807\n")
    let r = try KlasterBinary.run(["stats", "--config", config, "--db", dir.file("k.db")], timeout: .seconds(30))
    #expect(r.status == 78)
    #expect(r.stderr == "klaster: \(config): ingest.ring_capacity is 9223372036854775807, outside 2…4194304 (see deploy/klaster.example.toml for every key and its range)\n")
    #expect(!FileManager.default.fileExists(atPath: dir.file("k.db")))
}

@Test func minTsIsReadAsAnInstant() throws {
    #expect(try ConfigLoader.parse("", file: "k.toml").ingest.minTs == 946_684_800_000)
    #expect(try ConfigLoader.parse("[ingest]\nmin_ts = 2020-01-01\n", file: "k.toml").ingest.minTs == 1_577_836_800_000)
    #expect(try ConfigLoader.parse("[ingest]\nmin_ts = \"1970-01-01T00:00:00Z\"\n", file: "k.toml").ingest.minTs == 0)
}
