import Testing

@Test func KlasterMQTTTestsBuilds() {
    #expect(Bool(true))
}
