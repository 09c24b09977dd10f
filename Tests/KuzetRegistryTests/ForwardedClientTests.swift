import Testing

@testable import KuzetRegistry

/// The client's address behind trusted reverse proxies (the access log's `client.address`).
@Suite("X-Forwarded-For behind trusted proxies")
struct ForwardedClientTests {
    let proxies = ForwardedClient(trustedProxies: ["10.0.0.5", "0:0::1"])

    @Test("the rightmost address that is not a trusted proxy is the client; the peer is the proxy")
    func rightmostUntrusted() {
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "203.0.113.9") == ("203.0.113.9", "10.0.0.5"))
        // A client can put anything first; only what our proxies appended counts.
        #expect(
            proxies.client(peer: "10.0.0.5", forwardedFor: "192.0.2.1, 203.0.113.9, ::1") == ("203.0.113.9", "10.0.0.5")
        )
        // IPv6 in another spelling, and in brackets, is the same proxy.
        #expect(proxies.client(peer: "::1", forwardedFor: "[2001:db8::7]") == ("2001:db8::7", "::1"))
        // Every hop a trusted proxy: the first one is the client.
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "::1") == ("::1", "10.0.0.5"))
    }

    @Test("from an untrusted peer, or with no usable address in the header, the peer is the client")
    func untrustedOrUnusable() {
        #expect(proxies.client(peer: "192.0.2.50", forwardedFor: "203.0.113.9") == ("192.0.2.50", nil))
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: nil) == ("10.0.0.5", nil))
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "unknown, evil\" level=error") == ("10.0.0.5", nil))
        #expect(proxies.client(peer: nil, forwardedFor: "203.0.113.9") == (nil, nil))
    }

    @Test("addresses are normalised; names and garbage are not addresses")
    func normalised() {
        #expect(IPAddressText.normalised(" 0:0:0:0:0:0:0:1 ") == "::1")
        #expect(IPAddressText.normalised("127.0.0.1") == "127.0.0.1")
        #expect(IPAddressText.normalised("proxy.internal") == nil)
        #expect(IPAddressText.normalised("") == nil)
        #expect(IPAddressText.normalised("1.2.3.4.5") == nil)
    }
}
