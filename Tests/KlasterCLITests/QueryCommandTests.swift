import Foundation
import KlasterTestSupport
import Testing

/// `klaster query` beyond the golden output: globs that match nothing.
@Suite struct QueryCommandTests {
    private let range = ["--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z", "--format", "csv"]

    @Test func noSeriesMatchedIsSaidOnStderrAndExitsZero() throws {
        let f = try ImportedFixture()
        let r = try f.run(["query"], ["nosuch/*"] + range)
        #expect(r.status == 0)
        #expect(r.stderr == "klaster: no series matched 'nosuch/*' (list the known ones with 'klaster series')\n")
        #expect(r.stdout == "series,start,width,count,min,max,sum,mean,first,last,delta\n")
    }

    @Test func onlyTheGlobThatMatchedNothingIsNamed() throws {
        let f = try ImportedFixture()
        let r = try f.run(["query"], ["socar-polymer/m1/active_power_kw", "socar-polymr/**"] + range + ["--every", "1h"])
        #expect(r.status == 0)
        #expect(r.stderr == "klaster: no series matched 'socar-polymr/**' (list the known ones with 'klaster series')\n")
        #expect(r.stdout.split(separator: "\n").count == 2)   // header + the one hourly bucket
    }
}
