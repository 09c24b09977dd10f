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
/// swappable: ``CurlHTTPTransport`` (libcurl) in production, anything else a test needs.
public protocol HTTPTransport: Sendable {
    /// POSTs `body` to `url` with `headers`, bounded by `limits`. Throws ``ExchangeError`` on
    /// network failure, timeout or an oversize answer; HTTP error statuses are returned, not thrown.
    func post(url: String, headers: [(name: String, value: String)], body: [UInt8], limits: ExchangeLimits) async throws
        -> HTTPReply
}
