import Testing
@testable import KlasterIngest

struct ReconnectBackoffTests {
    @Test func growsExponentiallyWithJitterAndCaps() {
        var b = ReconnectBackoff(minMillis: 100, maxMillis: 5_000)
        var g = SystemRandomNumberGenerator()
        let delays = (0..<12).map { _ in b.next(using: &g) }
        // attempt n waits within [100·2ⁿ/2, 100·2ⁿ], capped at 5 s.
        for (n, d) in delays.enumerated() {
            let ceiling = min(5_000, 100 << Int64(n))
            #expect(d <= ceiling && d >= max(100, ceiling / 2), "attempt \(n): \(d)")
        }
        #expect(delays.last == 5_000 || delays.last! >= 2_500)
        b.reset()
        #expect(b.next(using: &g) == 100)
    }
}
