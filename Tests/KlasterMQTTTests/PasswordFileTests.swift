import Foundation
import KlasterCore
@testable import KlasterMQTT
import KlasterTestSupport
import Testing

/// A password file that is empty or a directory used to give an empty
/// password silently; both are config errors now (exit 78).
struct PasswordFileTests {
    @Test func emptyFileIsAConfigError() throws {
        let dir = try TemporaryDirectory(prefix: "pw")
        var m = KlasterConfig.MQTT()
        m.username = "klaster"
        for text in ["", "\n", "\r\nsecond line\n"] {
            let file = try dir.write("pw", text)
            m.passwordFile = file
            #expect {
                try MQTTConnectionOptions(config: m, environment: [:])
            } throws: { e in
                e as? KlasterError == KlasterError(.config, "mqtt.password_file \(file) has an empty first line",
                                                  hint: "put the broker password on its first line, or remove password_file")
            }
        }
    }

    @Test func directoryIsAConfigError() throws {
        let dir = try TemporaryDirectory(prefix: "pw")
        var m = KlasterConfig.MQTT()
        m.passwordFile = dir.path
        #expect {
            try MQTTConnectionOptions(config: m, environment: [:])
        } throws: { e in
            e as? KlasterError == KlasterError(.config, "mqtt.password_file \(dir.path) is not a regular file",
                                              hint: "point it at a file (mode 0600) with the broker password on its first line")
        }
    }
}
