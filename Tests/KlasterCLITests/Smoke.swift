import Testing

@Test func KlasterCLITestsBuilds() {
    #expect(Bool(true))
}
