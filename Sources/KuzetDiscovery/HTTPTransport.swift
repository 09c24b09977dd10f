import Foundation

/// One HTTP POST of a SOAP body and its answer.
public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// How ONVIF SOAP requests reach a device. The discovery code only needs `post`; the transport is
/// swappable so the libcurl client (KuzetCurl) and the built-in NIO one can both carry it.
public protocol HTTPTransport: Sendable {
    /// POSTs `body` to `url` with `headers`, bounded by `limits`. Throws ``ExchangeError`` on
    /// network failure, timeout or an oversize answer; HTTP error statuses are returned, not thrown.
    func post(url: String, headers: [(name: String, value: String)], body: [UInt8], limits: ExchangeLimits) async throws -> HTTPReply
}

/// HTTP/1.1 over a plain NIO TCP connection (`Connection: close`, one request per connection),
/// with the same size/time limits as everything else that talks to devices. No TLS: cameras on a
/// school LAN speak plain HTTP; `https://` device URLs need the libcurl transport.
public struct NIOHTTPTransport: HTTPTransport {
    public init() {}

    public func post(url: String, headers: [(name: String, value: String)], body: [UInt8], limits: ExchangeLimits) async throws -> HTTPReply {
        guard let target = DeviceAddress(url), target.scheme == "http" else {
            throw ExchangeError.connect("\(CredentialFreeURL.strip(url)) is not an http:// URL (https needs the libcurl transport)")
        }
        var head = "POST \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "\r\n"
        let message = try await TCPConnection.exchange(host: target.host, port: target.port, request: Array(head.utf8) + body, limits: limits, bodyRequiresLength: false)
        return HTTPReply(status: message.status, headers: message.headers, body: message.body)
    }
}
