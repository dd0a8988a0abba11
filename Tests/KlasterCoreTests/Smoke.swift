import Testing

@Test func KlasterCoreTestsBuilds() {
    #expect(Bool(true))
}
