import Testing
@testable import KlasterCore

/// `ingest.max_series`: no new series beyond the cap, known ones still resolve.
@Suite struct SeriesCapTests {
    @Test func newSeriesBeyondTheCapAreTooManySeries() {
        let known = [SeriesInfo(id: 7, key: "p/m0/temperature_c", plant: "p", quantity: "temperature_c", kind: .gauge, unit: "°C")]
        let resolver = SeriesResolver(pattern: .default, quantities: QuantityTable(), known: known, maxSeries: 2)
        var outcomes: [String] = []
        for topic in ["nextgen/p/m0/temperature_c", "nextgen/p/m1/temperature_c", "nextgen/p/m2/temperature_c", "nextgen/p/m1/temperature_c"] {
            var t = topic
            let r = t.withUTF8 { resolver.resolveOrReject(topic: UnsafeRawBufferPointer($0)) }
            switch r {
            case .success(let id): outcomes.append("\(id)")
            case .failure(let e): outcomes.append(e.description)
            }
        }
        #expect(outcomes == ["7", "8", "too_many_series: no new series: ingest.max_series (2) are known", "8"])
        #expect(resolver.count == 2)
        // The line-protocol door has the same cap.
        #expect(resolver.resolve(plant: "p", meter: "m3", quantity: "temperature_c") == nil)
        #expect(resolver.resolve(plant: "p", meter: "m0", quantity: "temperature_c") == 7)
    }
}
