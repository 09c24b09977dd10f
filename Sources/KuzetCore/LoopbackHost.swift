import Foundation

/// Whether a host name or address stays on this machine: `localhost`, 127.0.0.0/8, `::1` (also
/// written `[::1]`) and IPv4-mapped loopback (`::ffff:127.…`).
///
/// The one rule every "plain text only on loopback" check uses (the registry URL, the registry's
/// plain HTTP, a PostgreSQL URL without TLS). A name other than `localhost` is not loopback even
/// if it resolves there today: what it names can change.
public enum LoopbackHost {
    public static func contains(_ host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" { return true }
        if host.hasPrefix("::ffff:") { host = String(host.dropFirst("::ffff:".count)) }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }
}
