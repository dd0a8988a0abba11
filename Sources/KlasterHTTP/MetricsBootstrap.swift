import Metrics
import Prometheus

/// Bootstraps swift-metrics with a Prometheus registry, once per process.
public enum MetricsBootstrap {
    /// The process's registry; the first access bootstraps `MetricsSystem`
    /// (which may be bootstrapped only once — a `let` global runs once).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Commits take milliseconds: finer buckets than the default 5 ms..10 s.
        factory.durationHistogramBuckets["klaster_commit_seconds"] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(5),
        ]
        factory.valueHistogramBuckets["klaster_batch_size"] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
