import Foundation
import KlasterTestSupport
import Testing

@Test func dbErrorsHaveTheirOwnMessagesAndCodes() throws {
    let f = try ImportedFixture(files: ["fixture.csv"])
    let span = ["--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z"]
    let missing = try KlasterBinary.run(["query", "--db", f.dir.file("missing.db"), "**"] + span)
    #expect(missing.status == 66 && missing.stderr.contains("not found") && missing.stderr.contains("--db"))
    #expect(!FileManager.default.fileExists(atPath: f.dir.file("missing.db")))
    let badGlob = try f.run(["query"], ["a/***"] + span)
    #expect(badGlob.status == 64 && badGlob.stderr.contains("bad series glob"))
    let reversed = try f.run(["query"], ["**", "--from", "2026-01-02T00:00:00Z", "--to", "2026-01-01T00:00:00Z"])
    #expect(reversed.status == 64 && reversed.stderr.contains("after --to"))
    let width = try f.run(["query"], ["**", "--every", "7s"] + span)
    #expect(width.status == 64 && width.stderr.contains("unknown width 7s"))
    let foreign = try f.dir.write("foreign.db", String(repeating: "not a database ", count: 300))
    let notDB = try KlasterBinary.run(["stats", "--db", foreign])
    #expect(notDB.status == 65 && notDB.stderr.contains("not a Klaster database"))
    let config = try KlasterBinary.run(["stats", "--db", f.db, "--config", f.dir.file("nope.toml")])
    #expect(config.status == 66 && config.stderr.contains("nope.toml"))
    let badKey = try f.dir.write("bad.toml", "[storage]\npaht = \"x\"\n")
    let unknown = try KlasterBinary.run(["stats", "--db", f.db, "--config", badKey])
    #expect(unknown.status == 64 && unknown.stderr.contains("storage.paht") && unknown.stderr.contains("bad.toml"))
    for r in [missing, badGlob, reversed, width, notDB, config, unknown] {
        #expect(r.stderr.hasPrefix("klaster: ") && r.stderr.split(separator: "\n").count == 1)
    }
}

@Test func dbMigrateRebuildVacuum() throws {
    let f = try ImportedFixture(files: ["fixture.csv"])
    let migrate = try f.run(["db", "migrate"])
    #expect(migrate.status == 0 && migrate.stderr.contains("schema version 4"))
    let args = ["**", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-02T00:00:00Z", "--every", "1m", "--format", "json"]
    let before = try f.run(["query"], args).stdout
    let rebuild = try f.run(["db", "rebuild"], ["--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z"])
    #expect(rebuild.status == 0, "\(rebuild.stderr)")
    // The fixture's readings all lie within 5 minutes of their series' newest:
    // the open window, computed from raw readings anyway, so nothing is replayed.
    #expect(rebuild.stderr.contains("from 0 raw readings"))
    #expect(try f.run(["query"], args).stdout == before)
    let vacuum = try f.run(["db", "vacuum"])
    #expect(vacuum.status == 0, "\(vacuum.stderr)")
    let fresh = try KlasterBinary.run(["db", "migrate", "--db", f.dir.file("new.db")])
    #expect(fresh.status == 0 && FileManager.default.fileExists(atPath: f.dir.file("new.db")))
}
