import Foundation
import KlasterCLI
import KlasterCore
import KlasterTestSupport
import Testing

/// Every config key (README "Configuration reference"), with non-default values.
private let fullConfig = """
[mqtt]
url = "mqtts://127.0.0.1:8883"
client_id = "klaster-test"
topics = ["nextgen/#", "legacy/+/x"]
topic_pattern = "nextgen/{plant}/{meter}/{quantity}/#"
qos = 2
protocol = 5
shared_group = "klaster"
username = "meter"
password_file = "/etc/klaster/mqtt.pass"
ca_file = "ca.pem"
cert_file = "cert.pem"
key_file = "key.pem"
tls_insecure = true
keepalive = 45
buffered_io = false

[storage]
path = "/var/lib/klaster/k.db"
durability = "power"
raw_retention = "7d"
bucket_retention = { "1m" = "2d", "1h" = "400d" }

[buckets]
widths = ["1h", "1m", "15m", "1d"]
allowed_lateness = "90s"
timezone = "Europe/Berlin"

[ingest]
max_future = "10m"
batch_max_messages = 100
batch_max_delay = "20ms"
ring_capacity = 4096
max_payload_bytes = 1024

[http]
listen = "127.0.0.1:9999"

[quantities.active_energy_kwh]
rollover = 1_000_000
max_rate = 5000

[quantities.urea_t]
kind = "counter"
unit = "t"

[[factors]]
quantity = "active_energy_kwh"
kg_co2e_per_unit = 0.384
scope = 2
method = "location"
plant = "socar-polymer"
valid_from = 2021-01-01
source = "IFI harmonised grid factor 2021"

[[targets]]
name = "cluster-2030"
scope = "cluster"
kind = "absolute"
base_year = 2024
base_t = 1_500_000
target_year = 2030
reduction = 0.42

[[targets]]
name = "urea-intensity"
scope = "plant"
plant = "socar-karbamid"
kind = "intensity"
base_year = 2024
base_intensity = 0.9
target_year = 2030
reduction = 0.2

[[alerts]]
name = "stack-co2-high"
series = "socar-karbamid/*/co2_rate_kgh"
every = "15m"
agg = "mean"
warn = 2200
crit = 2500.5
warn_reset = 2100
crit_reset = 2400
for = "30m"
stale_after = "1h"
"""

@Test func configEveryKeyParsed() throws {
    let c = try ConfigLoader.parse(fullConfig, file: "full.toml")
    #expect(c.mqtt.url == "mqtts://127.0.0.1:8883")
    #expect(c.mqtt.clientID == "klaster-test")
    #expect(c.mqtt.topics == ["nextgen/#", "legacy/+/x"])
    #expect(c.mqtt.topicPattern == "nextgen/{plant}/{meter}/{quantity}/#")
    #expect(c.mqtt.qos == 2)
    #expect(c.mqtt.protocolVersion == 5)
    #expect(c.mqtt.sharedGroup == "klaster")
    #expect(c.mqtt.username == "meter")
    #expect(c.mqtt.passwordFile == "/etc/klaster/mqtt.pass")
    #expect(c.mqtt.caFile == "ca.pem" && c.mqtt.certFile == "cert.pem" && c.mqtt.keyFile == "key.pem")
    #expect(c.mqtt.tlsInsecure)
    #expect(c.mqtt.keepAlive == 45)
    #expect(!c.mqtt.bufferedIO)
    #expect(c.storage.path == "/var/lib/klaster/k.db")
    #expect(c.storage.durability == .power)
    #expect(c.storage.rawRetention == 7 * 86_400_000)
    #expect(c.storage.bucketRetention == [60_000: 2 * 86_400_000, 3_600_000: 400 * 86_400_000])
    #expect(c.buckets.widths == [.minute, .quarterHour, .hour, .day])
    #expect(c.buckets.allowedLateness == 90_000)
    #expect(c.buckets.timezone == "Europe/Berlin")
    #expect(c.ingest.maxFuture == 600_000)
    #expect(c.ingest.batchMaxMessages == 100)
    #expect(c.ingest.batchMaxDelay == 20)
    #expect(c.ingest.ringCapacity == 4096)
    #expect(c.ingest.maxPayloadBytes == 1024)
    #expect(c.http.listen == "127.0.0.1:9999")
    let energy = c.quantities.spec(for: "active_energy_kwh")
    #expect(energy.kind == .counter && energy.unit == "kWh" && energy.rollover == 1_000_000 && energy.maxRate == 5000)
    #expect(c.quantities.spec(for: "urea_t") == QuantitySpec(kind: .counter, unit: "t", maxRate: QuantityTable.fallbackMaxRate))
    #expect(c.factors == [EmissionFactor(quantity: "active_energy_kwh", plant: "socar-polymer", kgCO2ePerUnit: 0.384, scope: .two,
                                         method: .location, source: "IFI harmonised grid factor 2021", validFrom: 1_609_459_200_000)])
    #expect(c.targets.count == 2)
    #expect(c.targets[0] == Target(name: "cluster-2030", scope: .cluster, kind: .absolute, baseYear: 2024, baseTonnes: 1_500_000, targetYear: 2030, reduction: 0.42))
    #expect(c.targets[1].plant == "socar-karbamid" && c.targets[1].baseIntensity == 0.9 && c.targets[1].kind == .intensity)
    #expect(c.alerts == [AlertRule(name: "stack-co2-high", series: "socar-karbamid/*/co2_rate_kgh", every: 900_000, agg: .mean,
                                   warn: 2200, crit: 2500.5, warnReset: 2100, critReset: 2400, holdFor: 1_800_000, staleAfter: 3_600_000)])
}

@Test(arguments: [
    ("[mqtt]\nurll = \"x\"\n", "mqtt.urll"),
    ("[storge]\npath = \"x\"\n", "storge"),
    ("[[alerts]]\nname = \"a\"\nseries = \"x\"\nevery = \"1m\"\nwarn = 1\nfor_ = \"1m\"\n", "alerts[1].for_"),
    ("[quantities.x]\nkind = \"gauge\"\ncolour = \"red\"\n", "quantities.x.colour"),
])
func configUnknownKeyNamesKeyAndFile(text: String, key: String) {
    #expect {
        _ = try ConfigLoader.parse(text, file: "/etc/k.toml")
    } throws: { error in
        guard let e = error as? KlasterError else { return false }
        return e.code == .usage && e.message.contains("'\(key)'") && e.message.contains("/etc/k.toml")
    }
}

@Test(arguments: [
    "[storage]\nraw_retention = \"30 days\"\n",
    "[storage]\ndurability = \"disk\"\n",
    "[mqtt]\nprotocol = 3\n",
    "[buckets]\nwidths = [\"1x\"]\n",
    "[mqtt]\nqos = \"1\"\n",
    "[[targets]]\nname = \"t\"\nbase_year = 2024\ntarget_year = 2030\nreduction = 0.4\n",
    "this is = not toml [",
])
func configBadValueIsUsageError(text: String) {
    #expect {
        _ = try ConfigLoader.parse(text, file: "k.toml")
    } throws: { error in
        (error as? KlasterError)?.code == .usage && (error as? KlasterError)?.message.hasPrefix("k.toml") == true
            || (error as? KlasterError)?.message.contains("k.toml") == true
    }
}

@Test func configMissingDefaultFileGivesDefaultsButExplicitIsExit66() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("klaster-missing-\(UUID().uuidString).toml").path
    #expect(try ConfigLoader.load(path: path, required: false) == KlasterConfig())
    #expect {
        _ = try ConfigLoader.load(path: path, required: true)
    } throws: { error in
        (error as? KlasterError)?.code == .noInput
    }
}

@Test func configEmptyFileGivesDefaults() throws {
    #expect(try ConfigLoader.parse("", file: "empty.toml") == KlasterConfig())
}

/// The shipped example config loads as it stands and says what it shows.
@Test func configDeployExampleLoads() throws {
    let path = "\(KlasterBinary.packageRoot)/deploy/klaster.example.toml"
    let c = try ConfigLoader.load(path: path, required: true)
    #expect(c.mqtt.url == "mqtt://127.0.0.1:1883")
    #expect(c.mqtt.clientID == "klaster-1")
    #expect(c.mqtt.topics == ["nextgen/#"])
    #expect(c.mqtt.topicPattern == "nextgen/{plant}/{meter}/{quantity}")
    #expect(c.mqtt.qos == 1)
    #expect(c.mqtt.protocolVersion == 4)
    #expect(c.mqtt.keepAlive == 30)
    #expect(!c.mqtt.tlsInsecure)
    #expect(c.mqtt.bufferedIO)
    #expect(c.storage.path == "klaster.db")
    #expect(c.storage.durability == .process)
    #expect(c.storage.rawRetention == 30 * 86_400_000)
    #expect(c.storage.bucketRetention == [60_000: 90 * 86_400_000, 900_000: 730 * 86_400_000])
    #expect(c.buckets.widths == [.minute, .quarterHour, .hour, .day])
    #expect(c.buckets.allowedLateness == 300_000)
    #expect(c.buckets.timezone == "Asia/Baku")
    #expect(c.ingest.maxFuture == 300_000)
    #expect(c.ingest.batchMaxMessages == 5000)
    #expect(c.ingest.batchMaxDelay == 50)
    #expect(c.ingest.ringCapacity == 65536)
    #expect(c.ingest.maxPayloadBytes == 262_144)
    #expect(c.http.listen == "127.0.0.1:9464")
    let energy = c.quantities.spec(for: "active_energy_kwh")
    #expect(energy.kind == .counter && energy.unit == "kWh" && energy.rollover == 1_000_000 && energy.maxRate == 50_000)
    #expect(c.factors == [
        EmissionFactor(quantity: "active_energy_kwh", kgCO2ePerUnit: 0.384, scope: .two, method: .location,
                       source: "IFI Harmonised Default Grid Factors 2021 v3.1, Azerbaijan, combined margin", validFrom: 1_609_459_200_000),
        EmissionFactor(quantity: "gas_volume_nm3", kgCO2ePerUnit: 1.885, scope: .one,
                       source: "IPCC 2006 Vol.2 Table 2.2, natural gas 56.1 kg CO2/GJ"),
    ])
    #expect(c.targets == [Target(name: "cluster-2030", scope: .cluster, kind: .absolute, baseYear: 2024, baseTonnes: 1_500_000,
                                 targetYear: 2030, reduction: 0.42)])
    #expect(c.alerts == [AlertRule(name: "stack-co2-high", series: "socar-karbamid/*/co2_rate_kgh", every: 900_000, agg: .mean,
                                   warn: 2200, crit: 2500, warnReset: 2100, critReset: 2400, holdFor: 1_800_000, staleAfter: 3_600_000)])
}

@Test func postgresStorageKeys() throws {
    let c = try ConfigLoader.parse("""
        [storage]
        backend = "postgres"
        url = "postgresql://klaster@127.0.0.1:5432/klaster?sslmode=disable"
        password_file = "/etc/klaster/pg.pass"
        """, file: "pg.toml")
    #expect(c.storage.backend == .postgres)
    #expect(c.storage.url == "postgresql://klaster@127.0.0.1:5432/klaster?sslmode=disable")
    #expect(c.storage.passwordFile == "/etc/klaster/pg.pass")
    #expect(try ConfigLoader.parse("", file: "empty.toml").storage.backend == .sqlite)
}

@Test(arguments: ["postgresql://klaster:secret@127.0.0.1/klaster", "postgresql://klaster@127.0.0.1/klaster?password=secret"])
func aPasswordInStorageURLIsRefused(url: String) throws {
    #expect {
        _ = try ConfigLoader.parse("[storage]\nurl = \"\(url)\"\n", file: "pg.toml")
    } throws: { e in
        guard let e = e as? KlasterError else { return false }
        return e.code == .usage && e.description.contains("password_file") && !e.description.contains("secret")
    }
    #expect {
        _ = try ConfigLoader.parse("[storage]\nbackend = \"mysql\"\n", file: "pg.toml")
    } throws: { ($0 as? KlasterError)?.code == .usage }
}
