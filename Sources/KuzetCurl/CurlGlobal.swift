internal import CCurl
internal import CCurlShims

/// libcurl's process-wide state. `curl_global_init` must run exactly once before any handle is
/// made; a `static let` is initialised once, thread-safely (swift_once), on first use.
enum CurlGlobal {
    static let initialisation: CURLcode = CCurlShims_globalInitDefault()

    /// Runs `curl_global_init` if it has not run yet; false if it failed (then no transfer can work).
    static func ensureInitialised() -> Bool { initialisation == CURLE_OK }
}
