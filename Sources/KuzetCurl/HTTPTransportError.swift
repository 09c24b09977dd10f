import Foundation

/// Everything that can go wrong below HTTP (an HTTP error status is a normal ``HTTPResponse``).
///
/// The one error type libcurl's codes become (at one choke point, ``EasyHandle/perform()``). Its
/// message names the URL without credentials or query, the cause, and what to check; it never
/// contains a password, token or key.
public struct HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL or request cannot be sent at all.
        case invalidRequest
        case couldNotResolve
        case couldNotConnect
        /// connect, total or low-speed timeout: the peer did not answer in time.
        case timedOut
        /// The server's certificate does not chain to the configured CA (or the system's).
        case tlsCertificateNotTrusted
        /// The CA file is missing or unreadable.
        case tlsCAFileUnusable
        /// Our client certificate or key could not be loaded.
        case tlsClientCertificateUnusable
        /// The server refused the handshake, e.g. no or an unknown client certificate under mTLS.
        case tlsRejectedByServer
        /// Any other TLS handshake failure.
        case tlsHandshakeFailed
        /// The connection broke while sending or receiving.
        case connectionLost
        /// The response body was larger than the client allows.
        case responseTooLarge
        /// The task performing the request was cancelled.
        case cancelled
        case other
    }

    public var kind: Kind
    /// The request's method and URL, with user info and query removed.
    public var request: String
    /// libcurl's own explanation (its error buffer), for the log; it does not contain credentials.
    public var detail: String
    /// What to check, e.g. "check the CA file /etc/kuzet/ca.pem".
    public var advice: String?

    public init(kind: Kind, request: String, detail: String, advice: String? = nil) {
        self.kind = kind
        self.request = request
        self.detail = detail
        self.advice = advice
    }

    /// A short, fixed summary of ``kind``.
    public var summary: String {
        switch kind {
        case .invalidRequest: "invalid request"
        case .couldNotResolve: "host name not found"
        case .couldNotConnect: "connection refused or unreachable"
        case .timedOut: "timed out"
        case .tlsCertificateNotTrusted: "TLS: the server's certificate is not trusted"
        case .tlsCAFileUnusable: "TLS: the CA file cannot be used"
        case .tlsClientCertificateUnusable: "TLS: the client certificate or key cannot be used"
        case .tlsRejectedByServer: "TLS: the server refused the connection (client certificate missing or not accepted)"
        case .tlsHandshakeFailed: "TLS handshake failed"
        case .connectionLost: "connection lost"
        case .responseTooLarge: "response too large"
        case .cancelled: "cancelled"
        case .other: "transfer failed"
        }
    }

    public var description: String {
        var text = "\(request): \(summary)"
        if !detail.isEmpty { text += " (\(detail))" }
        if let advice { text += " — \(advice)" }
        return text
    }

    /// True when trying again later may help (the network or the server, not our configuration).
    public var isTransient: Bool {
        switch kind {
        case .couldNotResolve, .couldNotConnect, .timedOut, .connectionLost, .tlsHandshakeFailed, .other: true
        case .invalidRequest, .tlsCertificateNotTrusted, .tlsCAFileUnusable, .tlsClientCertificateUnusable,
            .tlsRejectedByServer, .responseTooLarge, .cancelled:
            false
        }
    }
}

extension HTTPTransportError {
    /// `METHOD scheme://host:port/path`, with user info and query dropped.
    static func describe(method: HTTPRequest.Method, url: String) -> String {
        var shown = url
        if let query = shown.firstIndex(where: { $0 == "?" || $0 == "#" }) { shown = String(shown[..<query]) }
        if let schemeEnd = shown.range(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = shown[authorityStart...].firstIndex(of: "/") ?? shown.endIndex
            if let at = shown[authorityStart..<authorityEnd].lastIndex(of: "@") {
                shown.removeSubrange(authorityStart...at)
            }
        }
        return "\(method) \(shown)"
    }
}
