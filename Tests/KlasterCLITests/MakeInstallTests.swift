import Foundation
import KlasterTestSupport
import Testing

/// `make install`'s copying half (`install-files`), with the binary this test
/// run built, into a staging directory: what lands where, and the unit's
/// ExecStart pointing at the installed binary under PREFIX.
@Suite struct MakeInstallTests {
    @Test func installFilesUnderPrefix() throws {
        let stage = try TemporaryDirectory(prefix: "install")
        let r = try runCommand("/usr/bin/make", ["-C", KlasterBinary.packageRoot, "--no-print-directory", "install-files",
                                                 "BUILT_BIN=\(KlasterBinary.path)", "DESTDIR=\(stage.path)", "PREFIX=/opt/klaster"])
        #expect(r.status == 0, "\(r.stderr)")
        let root = stage.path + "/opt/klaster"
        let fm = FileManager.default
        #expect(fm.isExecutableFile(atPath: root + "/bin/klaster"))
        for doc in ["klaster.example.toml", "mosquitto.conf", "mosquitto.acl", "README.md", "domain.md"] {
            #expect(fm.fileExists(atPath: root + "/share/doc/klaster/" + doc), "\(doc)")
        }
        let unit = try String(contentsOfFile: root + "/lib/systemd/system/klaster-ingest.service", encoding: .utf8)
        #expect(unit.contains("\nExecStart=/opt/klaster/bin/klaster ingest --config /etc/klaster/klaster.toml"))
        #expect(unit.contains("\nDocumentation=file:///opt/klaster/share/doc/klaster/README.md\n"))
        #expect(!unit.split(separator: "\n").contains { !$0.hasPrefix("#") && $0.contains("/usr/local") })  // comments aside
        // The installed binary runs.
        let help = try runCommand(root + "/bin/klaster", ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: klaster"))
    }

    @Test func installFilesWithoutABinaryIs66() throws {
        let stage = try TemporaryDirectory(prefix: "install")
        let r = try runCommand("/usr/bin/make", ["-C", KlasterBinary.packageRoot, "--no-print-directory", "install-files",
                                                 "BUILT_BIN=\(stage.path)/none", "DESTDIR=\(stage.path)"])
        #expect(r.status == 2)   // make reports a failed recipe as 2…
        #expect(r.stderr.contains("is not an executable (run make install)"))
        #expect(r.stderr.contains("Error 66"))   // …after the recipe's own 66
        #expect(!FileManager.default.fileExists(atPath: stage.path + "/usr/local/bin/klaster"))
    }
}
