import CMosquitto
import KlasterCore

#if canImport(Glibc)
import Glibc
#endif

/// How a libmosquitto return code (or a CONNACK refusal) should be handled.
public enum MosquittoOutcome: Sendable {
    case ok
    /// Worth retrying: the broker is down, the connection dropped, a timeout.
    case transient(KlasterError)
    /// Retrying cannot help: refused credentials, a TLS failure, a bad option.
    case fatal(KlasterError)
}

/// The one place where libmosquitto's `MOSQ_ERR_*` codes and CONNACK reason
/// codes become `KlasterError`s (swift-nio's SystemCallHelpers pattern).
public enum MosquittoErrors {
    /// Classifies a `MOSQ_ERR_*` return code.
    /// - Parameters:
    ///   - rc: The code.
    ///   - doing: What was attempted ("connect to mqtt://…"), for the message.
    public static func classify(_ rc: Int32, doing: String) -> MosquittoOutcome {
        guard rc != MOSQ_ERR_SUCCESS.rawValue else { return .ok }
        let text = describe(rc)
        switch mosq_err_t(rawValue: rc) {
        case MOSQ_ERR_AUTH, MOSQ_ERR_CONN_REFUSED, MOSQ_ERR_ACL_DENIED:
            return .fatal(KlasterError(.noPermission, "\(doing): \(text)",
                                       hint: "check mqtt.username and the password (password_file or KLASTER_MQTT_PASSWORD)"))
        case MOSQ_ERR_TLS, MOSQ_ERR_TLS_HANDSHAKE, MOSQ_ERR_OCSP:
            return .fatal(KlasterError(.unavailable, "\(doing): TLS failure: \(text)",
                                       hint: "check mqtt.ca_file, cert_file, key_file and that the broker's certificate names this host"))
        case MOSQ_ERR_INVAL, MOSQ_ERR_NOT_SUPPORTED, MOSQ_ERR_MALFORMED_UTF8, MOSQ_ERR_PAYLOAD_SIZE,
             MOSQ_ERR_QOS_NOT_SUPPORTED, MOSQ_ERR_RETAIN_NOT_SUPPORTED:
            return .fatal(KlasterError(.usage, "\(doing): \(text)", hint: "check the [mqtt] settings"))
        case MOSQ_ERR_NOMEM:
            return .fatal(KlasterError(.software, "\(doing): out of memory", hint: "lower ingest.ring_capacity or batch sizes"))
        case MOSQ_ERR_ERRNO:
            let e = String(cString: strerror(errno))
            return .transient(KlasterError(.unavailable, "\(doing): \(e)", hint: "is the broker running and reachable?"))
        default:
            return .transient(KlasterError(.unavailable, "\(doing): \(text)", hint: "is the broker running and reachable?"))
        }
    }

    /// Classifies the reason code of a CONNACK (MQTT 3.1.1 return codes 1–5,
    /// MQTT 5 reason codes ≥ 128).
    public static func classifyConnack(_ rc: Int32, url: String) -> MosquittoOutcome {
        guard rc != 0 else { return .ok }
        let text = String(cString: mosquitto_connack_string(rc))
        let doing = "broker \(url) refused the connection: \(text)"
        switch rc {
        case 4, 5, 134, 135, 138, 140:
            return .fatal(KlasterError(.noPermission, doing,
                                       hint: "check mqtt.username, the password (password_file or KLASTER_MQTT_PASSWORD) and the broker's ACL"))
        case 1, 2, 132, 133:
            return .fatal(KlasterError(.config, doing, hint: "check mqtt.client_id and mqtt.protocol"))
        default:
            return .transient(KlasterError(.unavailable, doing, hint: "the broker is busy or unavailable; retrying"))
        }
    }

    /// The human-readable text of a `MOSQ_ERR_*` code (for logs).
    /// libmosquitto 2.0 has no text for a keepalive timeout ("Unknown error.").
    public static func describe(_ rc: Int32) -> String {
        switch mosq_err_t(rawValue: rc) {
        case MOSQ_ERR_KEEPALIVE:
            "keepalive timeout: the broker did not answer a ping within mqtt.keepalive"
        case MOSQ_ERR_CONN_LOST:
            "the broker closed the connection"
        default:
            String(cString: mosquitto_strerror(rc))
        }
    }

    /// Throws the error of a failed call, transient or fatal alike.
    public static func check(_ rc: Int32, doing: @autoclosure () -> String) throws(KlasterError) {
        guard rc != MOSQ_ERR_SUCCESS.rawValue else { return }
        switch classify(rc, doing: doing()) {
        case .ok: return
        case .transient(let e), .fatal(let e): throw e
        }
    }
}
