#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// IPv4 and IPv6 addresses as text in one spelling (inet_ntop's), so `::1` and `0:0::1` compare equal.
enum IPAddressText {
    /// The address in canonical form; nil when `text` (spaces trimmed, IPv6 brackets allowed) is none.
    static func normalised(_ text: String) -> String? {
        var text = text.trimmingCharacters(in: " \t")
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        guard !text.isEmpty, text.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return format(AF_INET, &v4, length: INET_ADDRSTRLEN) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return format(AF_INET6, &v6, length: INET6_ADDRSTRLEN) }
        return nil
    }

    private static func format<Address>(_ family: Int32, _ address: inout Address, length: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(length))
        guard inet_ntop(family, &address, &buffer, socklen_t(length)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
