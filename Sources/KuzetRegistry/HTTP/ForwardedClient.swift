import Foundation
import NIOCore

/// Who a request came from when the registry sits behind reverse proxies it trusts
/// (`serve --trusted-proxy`): the proxy appends the address it saw to `X-Forwarded-For`, so the
/// client is the rightmost address there that is not one of our proxies. A request that did not come
/// from a trusted proxy keeps its peer address, whatever header it sent (anyone can write one).
struct ForwardedClient: Sendable {
    /// Trusted proxies' addresses, normalised (``IPAddressText``).
    let trustedProxies: Set<String>

    init(trustedProxies: [String]) {
        self.trustedProxies = Set(trustedProxies.compactMap(IPAddressText.normalised))
    }

    /// The client's address and, when it came through a trusted proxy, that proxy's.
    func client(peer: String?, forwardedFor header: String?) -> (client: String?, proxy: String?) {
        guard let peer, let normalisedPeer = IPAddressText.normalised(peer), trustedProxies.contains(normalisedPeer),
            let header
        else { return (peer, nil) }
        // Only addresses: anything else in the header (a name, "unknown", injected text) is skipped.
        let hops = header.split(separator: ",").compactMap { IPAddressText.normalised(String($0)) }
        guard let client = hops.last(where: { !trustedProxies.contains($0) }) ?? hops.first else { return (peer, nil) }
        return (client, peer)
    }
}

/// IPv4 and IPv6 addresses as text in one spelling (NIO's `SocketAddress`, inet_ntop's), so `::1`
/// and `0:0::1` compare equal.
enum IPAddressText {
    /// The address in canonical form; nil when `text` (spaces trimmed, IPv6 brackets allowed) is none.
    static func normalised(_ text: String) -> String? {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        return (try? SocketAddress(ipAddress: text, port: 0))?.ipAddress
    }
}
