import Testing

@Test func KlasterStoreTestsBuilds() {
    #expect(Bool(true))
}
