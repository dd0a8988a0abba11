import CMosquitto

/// `mosquitto_lib_init` exactly once per process (it seeds OpenSSL and the
/// socket layer; `mosquitto_lib_cleanup` is left to process exit).
enum MosquittoLibrary {
    /// A `let` global is initialised once, thread-safely (swift_once).
    private static let initialised: Bool = {
        mosquitto_lib_init()
        return true
    }()

    /// Call before creating any handle.
    static func ensureInitialised() { _ = initialised }
}
