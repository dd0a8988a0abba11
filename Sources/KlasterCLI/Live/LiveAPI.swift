import ArgumentParser
import Foundation
import KlasterCore
import KlasterHTTP
import Synchronization

/// A read command whose output the JSON API serves: `run()` writes it to
/// stdout, `emit` to any sink, so `/api/v1/<name>` answers with exactly the
/// JSON lines `klaster <name> --format json` prints for the same parameters.
protocol APICommand: AsyncParsableCommand {
    /// The command's output in `format`, to `sink`.
    func emit(_ format: OutputFormat, to sink: @escaping ([UInt8]) throws(KlasterError) -> Void) throws
}

/// The daemon's live report (`/`) and JSON API (`/api/v1/{query,emissions,targets,cbam,series}`).
///
/// A request's query parameters are the command's options by name
/// (`/api/v1/emissions?from=-7d&to=now&every=1d&by=scope` is
/// `klaster emissions --from -7d --to now --every 1d --by scope`); the
/// positional globs of `query` and `series` are `glob` (repeatable). The
/// daemon's `--config`/`--db` apply; `config`, `db` and `format` cannot be
/// given. Bad parameters answer 400 with the one-line reason the command
/// would print.
enum LiveAPI {
    /// Seconds between two renderings of the page: requests in between get the last one.
    static let pageInterval: Int64 = 5_000

    static func endpoints(config: String?, db: String?) -> LiveEndpoints {
        var base: [String] = []
        if let config { base += ["--config", config] }
        if let db { base += ["--db", db] }
        let common = base
        let cache = PageCache()
        return LiveEndpoints(
            page: { cache.page(common) },
            api: [
                "query": { answer(QueryCommand.self, $0, positional: "glob", base: common) },
                "series": { answer(SeriesCommand.self, $0, positional: "glob", base: common) },
                "emissions": { answer(EmissionsCommand.self, $0, positional: nil, base: common) },
                "targets": { answer(TargetsCommand.self, $0, positional: nil, base: common) },
                "cbam": { answer(CbamCommand.self, $0, positional: nil, base: common) },
            ])
    }

    /// The command line of a request: options by name, then `--` and the positionals.
    /// - Returns: The arguments, or the reason they cannot be built.
    static func arguments(_ params: [(name: String, value: String)], positional: String?, base: [String]) -> Result<[String], APIError> {
        var options: [String] = []
        var positionals: [String] = []
        for (name, value) in params {
            if ["config", "db", "format", "help", "h", "version"].contains(name) {
                return .failure(APIError("parameter '\(name)' is not accepted"))
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                return .failure(APIError("bad parameter name '\(name)'"))
            }
            if name == positional { positionals.append(value) } else { options += ["--\(name)", value] }
        }
        return .success(options + base + ["--format", "json"] + (positionals.isEmpty ? [] : ["--"] + positionals))
    }

    struct APIError: Error { var reason: String; init(_ r: String) { reason = r } }

    static func answer<C: APICommand>(_ type: C.Type, _ params: [(name: String, value: String)], positional: String?,
                                      base: [String]) -> LiveResponse {
        let args: [String]
        switch arguments(params, positional: positional, base: base) {
        case .success(let a): args = a
        case .failure(let e): return .badRequest("klaster: \(e.reason)")
        }
        let command: C
        do { command = try C.parse(args) } catch {
            return .badRequest("klaster: " + C.message(for: error))
        }
        var body: [UInt8] = []
        do {
            try command.emit(.json) { (bytes: [UInt8]) throws(KlasterError) in body.append(contentsOf: bytes) }
        } catch let e as KlasterError {
            return failure(e)
        } catch {
            return .badRequest("klaster: " + C.message(for: error))
        }
        return LiveResponse(status: 200, contentType: "application/jsonl; charset=utf-8", body: String(decoding: body, as: UTF8.self))
    }

    /// A command error as HTTP: usage errors are the client's (400), a missing
    /// database is 503 (ingest has not created it yet), anything else 500.
    static func failure(_ e: KlasterError) -> LiveResponse {
        let line = "klaster: \(e.description)"
        switch e.code {
        case .usage, .dataError: return .badRequest(line)
        case .noInput, .unavailable: return LiveResponse(status: 503, contentType: "text/plain; charset=utf-8", body: line + "\n")
        default: return LiveResponse(status: 500, contentType: "text/plain; charset=utf-8", body: line + "\n")
        }
    }
}

/// The last rendering of the report page and when it was made; rendered
/// again at most every `LiveAPI.pageInterval`.
final class PageCache: Sendable {
    private let last = Mutex<(at: EpochMillis, page: LiveResponse)?>(nil)

    func page(_ base: [String]) -> LiveResponse {
        let now = wallClockMillis()
        if let cached = last.withLock({ $0 }), now - cached.at < LiveAPI.pageInterval { return cached.page }
        let page = Self.render(base, now: now)
        last.withLock { $0 = (now, page) }
        return page
    }

    static func render(_ base: [String], now: EpochMillis) -> LiveResponse {
        do {
            let options = try CommonOptions.parse(base)
            let config = try options.loadConfig()
            let data = try EmissionsData(config: config, now: now)
            let model = try ReportBuilder.build(data, year: data.calendar.year(of: now))
            // The live page reloads itself; the file written by `klaster report` does not.
            let html = ReportPage.render(model).replacingOccurrences(of: "<head>", with: "<head><meta http-equiv=\"refresh\" content=\"30\">")
            return LiveResponse(status: 200, contentType: "text/html; charset=utf-8", body: html)
        } catch let e as KlasterError {
            return LiveAPI.failure(e)
        } catch {
            return LiveResponse(status: 500, contentType: "text/plain; charset=utf-8", body: "klaster: \(error)\n")
        }
    }
}
