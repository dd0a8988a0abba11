import Foundation

/// A throw-away PKI made with the `openssl` CLI: a CA, a server certificate
/// for 127.0.0.1/localhost and a client certificate, all signed by the CA.
public struct TestCertificates: Sendable {
    public var caFile: String
    public var serverCert: String
    public var serverKey: String
    public var clientCert: String
    public var clientKey: String

    /// Generates the files in `directory` (EC P-256 keys: fast).
    /// - Throws: when an `openssl` step fails (its stderr is in the message).
    public static func generate(in directory: String) throws -> TestCertificates {
        func openssl(_ args: [String]) throws {
            let r = try runCommand("/usr/bin/openssl", args)
            guard r.status == 0 else { throw BrokerError(message: "openssl \(args.first ?? "") failed: \(r.stderr)") }
        }
        let d = directory
        let ext = "\(d)/server.ext"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: ext, atomically: true, encoding: .utf8)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.crt", "-days", "2", "-subj", "/CN=klaster test CA"])
        for name in ["server", "client"] {
            try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                         "-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", "/CN=\(name == "server" ? "127.0.0.1" : "klaster")"])
            var args = ["x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
                        "-CAcreateserial", "-out", "\(d)/\(name).crt", "-days", "2"]
            if name == "server" { args += ["-extfile", ext] }
            try openssl(args)
        }
        return TestCertificates(caFile: "\(d)/ca.crt", serverCert: "\(d)/server.crt", serverKey: "\(d)/server.key",
                                clientCert: "\(d)/client.crt", clientKey: "\(d)/client.key")
    }
}
