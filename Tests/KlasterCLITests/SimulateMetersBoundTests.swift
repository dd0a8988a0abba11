import KlasterTestSupport
import Testing

/// `simulate --meters 1000000000` used to exhaust memory building the fleet.
@Test(arguments: ["0", "100001", "1000000000"])
func simulateMetersOutOfRangeIsExit64(_ meters: String) throws {
    let r = try KlasterBinary.run(["simulate", "--meters", meters, "--dry-run", "--duration", "1s"], timeout: .seconds(30))
    #expect(r.status == 64)
    #expect(r.stderr == "klaster: --meters must be between 1 and 100000 (14 is the base fleet)\n")
}
