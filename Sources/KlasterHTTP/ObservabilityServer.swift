import Hummingbird
import Logging
// ByteBuffer's initialisers live in NIOCore (a dependency of Hummingbird).
import NIOCore
import Prometheus
import ServiceLifecycle

/// What `/healthz` reports.
public struct HealthReport: Sendable {
    public var healthy: Bool
    /// One line of detail (e.g. `mqtt=connected committed_seq=42`).
    public var detail: String
    public init(healthy: Bool, detail: String) {
        self.healthy = healthy
        self.detail = detail
    }
}

/// The daemon's HTTP endpoint (Hummingbird 2): `/metrics` in the Prometheus
/// text format and `/healthz` (200 `ok …` when healthy, 503 otherwise).
public enum ObservabilityServer {
    /// Builds the server as a `Service` for the daemon's `ServiceGroup`.
    /// - Parameters:
    ///   - address: Where to listen.
    ///   - registry: The Prometheus registry to render.
    ///   - health: Called per `/healthz` request.
    ///   - logger: Server log.
    public static func make(address: ListenAddress, registry: PrometheusCollectorRegistry = MetricsBootstrap.registry,
                            health: @escaping @Sendable () -> HealthReport,
                            logger: Logger) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(8192)
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("/healthz") { _, _ -> Response in
            let report = health()
            let text = (report.healthy ? "ok " : "unhealthy ") + report.detail + "\n"
            return Response(status: report.healthy ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        var httpLogger = logger
        httpLogger.logLevel = max(logger.logLevel, .notice)
        return Application(router: router,
                           configuration: .init(address: .hostname(address.host, port: address.port), serverName: "klaster"),
                           logger: httpLogger)
    }
}
