import KuzetCore

/// Where the registry may answer in plain HTTP: bearer tokens, the dashboard's cookie and every
/// school's state would cross the network readable by anyone on the path. So only on loopback
/// (a TLS-terminating proxy on the same machine in front), unless `serve --insecure-http` says so.
public enum PlainHTTPPolicy {
    /// The problem line (`where: what is wrong — what to do`) for serving plain HTTP on `host`;
    /// nil when that is allowed.
    public static func refusal(host: String, tls: Bool, insecureHTTP: Bool) -> String? {
        guard !tls, !insecureHTTP, !LoopbackHost.contains(host) else { return nil }
        return
            "--listen \(host): plain HTTP on an address other machines can reach would carry tokens and the dashboard cookie unencrypted"
            + " — give --tls-cert and --tls-key, or listen on 127.0.0.1 behind a TLS proxy, or add --insecure-http (only on a network you trust)"
    }

    /// Whether a server on `host` without TLS answers other machines in plain text (to warn at start).
    public static func isExposed(host: String, tls: Bool) -> Bool { !tls && !LoopbackHost.contains(host) }
}
