import ArgumentParser
import Foundation
import KlasterCore
import KlasterStore

/// `klaster deadletter [--since T]`: what was rejected and why.
struct DeadletterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletter", abstract: "Rejected messages: when, topic, reason, detail, payload.",
        discussion: "payload is the message text when it is UTF-8; otherwise payload is empty and payload_base64 holds the bytes.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var output: FormatOptions

    @Option(parsing: .unconditional, help: "Only dead letters received at or after this time (RFC 3339, epoch ms, now, -24h…).")
    var since: String?

    @Option(help: "Show at most N dead letters (the oldest first).")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let cfg = try options.loadConfig()
        let since = try self.since.map { s throws(KlasterError) in try TimeSpec.parse(s, now: wallClockMillis()) }
        let store = try cfg.openStoreForReading()
        var list = try store.deadLetters(since: since)
        if let limit, list.count > limit { list.removeLast(list.count - limit) }
        try StandardOutput.write(Self.table(list, format: output.resolved).render(output.resolved))
    }

    static func table(_ list: [StoredDeadLetter], format: OutputFormat) -> OutputTable {
        var t = OutputTable(columns: [.text("received_at", header: "received_at (UTC)"), .text("topic"), .text("reason"),
                                      .text("detail"), .text("payload"), .text("payload_base64")])
        for d in list {
            let text = String(validating: d.payload, as: UTF8.self)
            var payload = OutputCell.text(orNull: text)
            if format == .table, let text, text.count > 80 { payload = .text(String(text.prefix(77)) + "...") }
            t.append([.text(RFC3339.format(d.receivedAt)), .text(d.topic), .text(d.reason), .text(d.detail),
                      payload, text == nil ? .text(Data(d.payload).base64EncodedString()) : .null])
        }
        return t
    }
}
