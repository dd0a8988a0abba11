import Foundation

/// Drives Debian's `mosquitto_pub` / `mosquitto_sub` against a test broker.
public enum MosquittoClients {
    /// Publishes each element of `payloads` as one message on `topic`
    /// (`mosquitto_pub -l`: one message per line, so payloads must not hold `\n`).
    /// - Throws: when `mosquitto_pub` fails.
    public static func publishLines(port: UInt16, topic: String, payloads: [String], qos: Int = 1,
                                    extraArgs: [String] = []) throws {
        let input = Data((payloads.joined(separator: "\n") + "\n").utf8)
        let r = try runCommand("/usr/bin/mosquitto_pub",
                               ["-h", "127.0.0.1", "-p", "\(port)", "-q", "\(qos)", "-t", topic, "-l"] + extraArgs,
                               stdin: input)
        guard r.status == 0 else { throw BrokerError(message: "mosquitto_pub exited \(r.status): \(r.stderr)") }
    }

    /// Publishes one message with an arbitrary (binary) payload.
    public static func publish(port: UInt16, topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false,
                               extraArgs: [String] = []) throws {
        let dir = try TemporaryDirectory(prefix: "pub")
        let file = dir.file("payload")
        try Data(payload).write(to: URL(fileURLWithPath: file))
        var args = ["-h", "127.0.0.1", "-p", "\(port)", "-q", "\(qos)", "-t", topic, "-f", file]
        if retain { args.append("-r") }
        let r = try runCommand("/usr/bin/mosquitto_pub", args + extraArgs)
        guard r.status == 0 else { throw BrokerError(message: "mosquitto_pub exited \(r.status): \(r.stderr)") }
    }

    /// Publishes `(topic, payload)` pairs; consecutive messages on one topic share one `mosquitto_pub -l`.
    public static func publish(port: UInt16, messages: [(topic: String, payload: String)], qos: Int = 1) throws {
        var i = 0
        while i < messages.count {
            let topic = messages[i].topic
            var lines: [String] = []
            while i < messages.count, messages[i].topic == topic { lines.append(messages[i].payload); i += 1 }
            try publishLines(port: port, topic: topic, payloads: lines, qos: qos)
        }
    }

    /// Subscribes to `topic`, returns the first `count` messages as `topic payload` lines
    /// (`mosquitto_sub -v -C count -W timeout`).
    public static func subscribe(port: UInt16, topic: String, count: Int, timeoutSeconds: Int = 10,
                                 extraArgs: [String] = []) throws -> [String] {
        let r = try runCommand("/usr/bin/mosquitto_sub",
                               ["-h", "127.0.0.1", "-p", "\(port)", "-t", topic, "-v", "-C", "\(count)", "-W", "\(timeoutSeconds)"] + extraArgs,
                               timeout: .seconds(Int64(timeoutSeconds) + 5))
        return r.stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Starts `mosquitto_sub` in the background (e.g. to register a persistent
    /// session with `-c -i ID -q 1`).
    public static func spawnSubscriber(port: UInt16, arguments: [String], outputDirectory: String) throws -> ChildProcess {
        try ChildProcess(executable: "/usr/bin/mosquitto_sub", arguments: ["-h", "127.0.0.1", "-p", "\(port)"] + arguments,
                         outputDirectory: outputDirectory, name: "mosquitto_sub")
    }
}
