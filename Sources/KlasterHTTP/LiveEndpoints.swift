/// One HTTP answer of the live report or the JSON API, computed outside
/// this module (the CLI layer renders the page and the commands' JSON lines).
public struct LiveResponse: Sendable, Equatable {
    /// 200, 400 (bad parameters), 404, 500, 503.
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A 400 with a one-line reason.
    public static func badRequest(_ reason: String) -> LiveResponse {
        LiveResponse(status: 400, contentType: "text/plain; charset=utf-8", body: reason.split(separator: "\n").first.map(String.init).map { $0 + "\n" } ?? "bad request\n")
    }
}

/// What the daemon serves besides `/metrics` and `/healthz`: the report at
/// `/` and `/api/v1/<name>` for each named endpoint. The handlers are given
/// by the caller so that this module depends on no command-line code; they
/// run blocking store reads, so the server calls them off its event loops.
public struct LiveEndpoints: Sendable {
    /// The report page (`/`).
    public var page: @Sendable () -> LiveResponse
    /// `/api/v1/<name>`: the query parameters in request order → the answer.
    public var api: [String: @Sendable ([(name: String, value: String)]) -> LiveResponse]

    public init(page: @escaping @Sendable () -> LiveResponse,
                api: [String: @Sendable ([(name: String, value: String)]) -> LiveResponse]) {
        self.page = page
        self.api = api
    }
}
