import Foundation
import KlasterTestSupport
import Testing

/// A small cluster whose emissions are easy to compute by hand (factors 0.4 kg/kWh,
/// 2.0 kg/Nm³, 1.5 kg/Nm³ for karbamid from 2025-07-01), imported with `klaster import`.
///
/// 2025 (complete): polymer 100 000 kWh → 40 t (scope 2); karbamid gas 10 000 Nm³ before July × 2.0
/// + 20 000 Nm³ after × 1.5 → 20 + 30 = 50 t (scope 1); karbamid product 200 t.
/// 2026 to 1 April: polymer 50 000 kWh (1 March) → 20 t; karbamid 10 000 Nm³ × 1.5 → 15 t; product 100 t.
struct EmissionsScenario {
    let dir: TemporaryDirectory
    let backend: StoreBackend
    /// The `--db` value: a file path, or a PostgreSQL URL.
    let db: String
    let config: String

    static let toml = """
        [[factors]]
        quantity = "active_energy_kwh"
        kg_co2e_per_unit = 0.4
        scope = 2
        method = "location"
        source = "test grid"

        [[factors]]
        quantity = "gas_volume_nm3"
        kg_co2e_per_unit = 2.0
        scope = 1
        source = "test gas"

        [[factors]]
        quantity = "gas_volume_nm3"
        plant = "karbamid"
        kg_co2e_per_unit = 1.5
        scope = 1
        source = "karbamid lab"
        valid_from = "2025-07-01T00:00:00Z"

        [[factors]]
        quantity = "co2_rate_kgh"
        kg_co2e_per_unit = 1.0
        scope = 1
        source = "cems"

        [[targets]]
        name = "cluster-abs"
        scope = "cluster"
        kind = "absolute"
        base_year = 2024
        base_t = 100
        target_year = 2030
        reduction = 0.42

        [[targets]]
        name = "karbamid-int"
        scope = "plant"
        plant = "karbamid"
        kind = "intensity"
        base_year = 2024
        base_intensity = 0.5
        target_year = 2030
        reduction = 0.3

        """

    static let csv = """
        series,ts,value
        polymer/m1/active_energy_kwh,2025-01-01T00:00:00Z,0
        polymer/m1/active_energy_kwh,2025-06-30T00:00:00Z,50000
        polymer/m1/active_energy_kwh,2025-12-31T00:00:00Z,100000
        polymer/m1/active_energy_kwh,2026-01-01T00:00:00Z,100000
        polymer/m1/active_energy_kwh,2026-03-01T00:00:00Z,150000
        karbamid/g1/gas_volume_nm3,2025-01-01T00:00:00Z,0
        karbamid/g1/gas_volume_nm3,2025-06-01T00:00:00Z,10000
        karbamid/g1/gas_volume_nm3,2025-12-01T00:00:00Z,30000
        karbamid/g1/gas_volume_nm3,2026-01-01T00:00:00Z,30000
        karbamid/g1/gas_volume_nm3,2026-02-01T00:00:00Z,40000
        karbamid/p1/production_t,2025-01-01T00:00:00Z,0
        karbamid/p1/production_t,2025-12-01T00:00:00Z,200
        karbamid/p1/production_t,2026-01-01T00:00:00Z,200
        karbamid/p1/production_t,2026-02-01T00:00:00Z,300

        """

    init(toml: String = EmissionsScenario.toml, csv: String = EmissionsScenario.csv, backend: StoreBackend = .sqlite) throws {
        dir = try TemporaryDirectory(prefix: "emissions")
        self.backend = backend
        db = try backend.freshDatabase(in: dir)
        config = try dir.write("klaster.toml", toml)
        let data = try dir.write("data.csv", csv)
        let r = try KlasterBinary.run(["import", "--config", config, "--db", db, data], environment: backend.environment)
        guard r.status == 0 else { throw ImportFailed(message: r.stderr) }
    }

    /// `klaster <args…> --config … --db …`.
    func run(_ args: [String]) throws -> CommandResult {
        try KlasterBinary.run(args + ["--config", config, "--db", db], environment: backend.environment)
    }
}

/// Parses JSON Lines output into dictionaries.
func emissionRows(_ s: String) throws -> [[String: Any]] {
    try s.split(separator: "\n").map { line in
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }
}

func jsonNumber(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
