import Testing
@testable import KlasterCLI

/// The one number formatter: full precision for machines, rounded for people, never inf/nan.
@Suite struct NumberTextTests {
    @Test func exactIsTheShortestRoundTrip() {
        #expect(NumberText.exact(4241402.119999999) == "4241402.119999999")
        #expect(NumberText.exact(49732.132999999994) == "49732.132999999994")
        #expect(NumberText.exact(992.5) == "992.5")
        #expect(NumberText.exact(1985) == "1985")
        #expect(NumberText.exact(-0.0) == "0")
        #expect(NumberText.exact(0.1) == "0.1")
        #expect(NumberText.exact(1e20) == "1e+20")
    }

    @Test func roundedShowsTheResolution() {
        #expect(NumberText.rounded(4241402.119999999, decimals: 3) == "4241402.12")
        #expect(NumberText.rounded(49732.132999999994, decimals: 3) == "49732.133")
        #expect(NumberText.rounded(21.205479452054796, decimals: 3) == "21.205")
        #expect(NumberText.rounded(0.47500000000000003, decimals: 4) == "0.475")
        #expect(NumberText.rounded(2.5, decimals: 0) == "3")
        #expect(NumberText.rounded(-0.0004, decimals: 3) == "0")
        #expect(NumberText.rounded(-1.2345, decimals: 2) == "-1.23")
        #expect(NumberText.rounded(1e17, decimals: 3) == "1e+17")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteHasNoText(_ v: Double) {
        #expect(NumberText.exact(v) == nil)
        #expect(NumberText.rounded(v, decimals: 3) == nil)
    }
}
