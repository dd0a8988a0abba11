import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

@Test(arguments: [
    ("socar-polymer/*/active_energy_kwh", "socar-polymer/m1/active_energy_kwh", true),
    ("socar-polymer/*/active_energy_kwh", "socar-polymer/a/b/active_energy_kwh", false),
    ("socar-polymer/**", "socar-polymer/a/b/c", true),
    ("**/active_power_kw", "p/m/active_power_kw", true),
    ("**/active_power_kw", "p/m/active_power_kwh", false),
    ("p/**/q", "p/q", true),
    ("p/**/q", "p/a/b/q", true),
    ("p/m?/x", "p/m1/x", true),
    ("p/m?/x", "p/m/x", false),
    ("p/m?/x", "p/m//x", false),
    ("*", "p/m/x", false),
    ("**", "p/m/x", true),
    ("p/*1/x", "p/meter1/x", true),
    ("p/%/x", "p/m/x", false),
    ("p/_/x", "p/m/x", false),
    ("' OR 1=1 --", "p/m/x", false),
])
func globMatching(glob: String, key: String, matches: Bool) throws {
    #expect(try SeriesGlob(glob).matches(key) == matches)
}

@Test(arguments: ["", "a/***", "a**/b", "a/**b", "a/\u{1}/b"])
func badGlobsAreUsageErrors(glob: String) {
    #expect { _ = try SeriesGlob(glob) } throws: { ($0 as? KlasterError)?.code == .usage }
}

@Test(arguments: Backend.allCases) func sqlInjectionThroughSeriesNamesTopicsAndGlobsIsInert(_ backend: Backend) throws {
    let fixture = try StoreFixture(backend)
    let store = fixture.store
    let evilKey = "p'; DROP TABLE readings; --/m\"1/q) OR 1=1"
    var b = Batch(lastMessageSeq: 1)
    b.newSeries = [SeriesInfo(id: 1, key: evilKey, plant: "p'; DROP TABLE readings; --", quantity: "q) OR 1=1", kind: .gauge, unit: "'; --")]
    b.readings = [Reading(series: 1, ts: t0, value: 1)]
    b.buckets = [BucketRow(series: 1, width: .hour, start: t0, count: 1, sum: 1, min: 1, max: 1, firstTs: t0, first: 1, lastTs: t0, last: 1, delta: nil)]
    b.deadLetters = [DeadLetter(topic: "x'); DELETE FROM series; --", payload: Array("'); DROP TABLE counters; --".utf8), receivedAt: t0, reason: .badTopic, detail: "\"; --")]
    b.counters.deadLetters[.badTopic] = 1
    try store.apply(b)
    #expect(try store.loadSeries().map(\.key) == [evilKey])
    #expect(try store.buckets(seriesGlob: [evilKey], from: t0, to: t0 + 3_600_000, every: 3_600_000).count == 1)
    #expect(try store.buckets(seriesGlob: ["' OR '1'='1"], from: t0, to: t0 + 3_600_000, every: 3_600_000).isEmpty)
    #expect(try store.series(glob: "*' OR 1=1 --").isEmpty)
    let dl = try store.deadLetters(since: nil)
    #expect(dl.count == 1 && dl[0].topic == "x'); DELETE FROM series; --")
    let s = try store.stats()
    #expect(s.readings == 1 && s.series == 1 && s.deadLettersByReason == ["bad_topic": 1])
}
