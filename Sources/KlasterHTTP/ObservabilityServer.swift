import Foundation
import Hummingbird
// MaximumAvailableConnections lives in HummingbirdCore (a dependency of Hummingbird).
import HummingbirdCore
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
/// text format, `/healthz` (200 `ok …` when healthy, 503 otherwise) and,
/// with `live`, the report at `/` and the JSON API under `/api/v1/`.
public enum ObservabilityServer {
    /// Most connections served at once.
    public static let maxConnections = 256
    /// A connection idle this long, or this slow to send a request head, is closed.
    public static let idleTimeout = TimeAmount.seconds(10)

    /// Builds the server as a `Service` for the daemon's `ServiceGroup`.
    /// - Parameters:
    ///   - address: Where to listen.
    ///   - registry: The Prometheus registry to render.
    ///   - health: Called per `/healthz` request.
    ///   - live: The report page and API handlers (`nil`: not served).
    ///   - logger: Server log.
    public static func make(address: ListenAddress, registry: PrometheusCollectorRegistry = MetricsBootstrap.registry,
                            health: @escaping @Sendable () -> HealthReport, live: LiveEndpoints? = nil,
                            logger: Logger) -> some Service {
        let router = Router()
        if let live {
            router.get("/") { _, _ -> Response in
                respond(await offloaded(live.page))
            }
            router.get("/api/v1/:endpoint") { request, context -> Response in
                let name = context.parameters.get("endpoint") ?? ""
                guard let handler = live.api[name] else {
                    return respond(LiveResponse(status: 404, contentType: "text/plain; charset=utf-8",
                                                body: "no endpoint /api/v1/\(name) (try \(live.api.keys.sorted().joined(separator: ", ")))\n"))
                }
                let params = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
                return respond(await offloaded { handler(params) })
            }
        }
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
        // Bounded so that the endpoint can never starve ingestion of file
        // descriptors or memory: at most `maxConnections` open at once (more
        // wait in the listen backlog), and a connection that completes no
        // request head or sends nothing for `idleTimeout` is closed —
        // Hummingbird's idle timer counts parsed HTTP parts, not bytes, so it
        // is a header timeout too.
        return Application(router: router,
                           server: .http1(configuration: .init(idleTimeout: idleTimeout)),
                           configuration: .init(address: .hostname(address.host, port: address.port), serverName: "klaster",
                                                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)),
                           logger: httpLogger)
    }

    private static func respond(_ r: LiveResponse) -> Response {
        Response(status: HTTPResponse.Status(code: r.status), headers: [.contentType: r.contentType],
                 body: .init(byteBuffer: ByteBuffer(string: r.body)))
    }

    /// Runs a blocking handler (SQLite reads) on a thread of its own rather
    /// than on one of the server's event loops.
    private static func offloaded(_ work: @escaping @Sendable () -> LiveResponse) async -> LiveResponse {
        await withCheckedContinuation { (c: CheckedContinuation<LiveResponse, Never>) in
            Thread.detachNewThread { c.resume(returning: work()) }
        }
    }
}
