import Foundation

/// One HTTP exchange to perform with ``HTTPClient``.
public struct HTTPRequest: Sendable {
    public enum Method: Sendable, Equatable, CustomStringConvertible {
        case get, head, post, put, delete
        case custom(String)

        public var description: String {
            switch self {
            case .get: "GET"
            case .head: "HEAD"
            case .post: "POST"
            case .put: "PUT"
            case .delete: "DELETE"
            case .custom(let name): name
            }
        }
    }

    public var method: Method
    /// An `http://` or `https://` URL. Credentials do not belong here: use ``authentication``.
    public var url: String
    /// Sent in this order; a header given here replaces libcurl's default of the same name.
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var authentication: HTTPAuthentication?
    /// Overrides the client's timeouts for this request only.
    public var timeouts: HTTPTimeouts?
    /// The body is sent no faster than this (libcurl's `CURLOPT_MAX_SEND_SPEED_LARGE`); nil: as fast as it goes.
    public var maxSendBytesPerSecond: Int?
    /// Called on the transfer's thread with the body bytes sent so far (at least once a second
    /// while sending), so a caller can measure its rate while the request runs.
    public var uploadProgress: (@Sendable (Int) -> Void)?

    public init(
        method: Method = .get, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        authentication: HTTPAuthentication? = nil, timeouts: HTTPTimeouts? = nil, maxSendBytesPerSecond: Int? = nil,
        uploadProgress: (@Sendable (Int) -> Void)? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.authentication = authentication
        self.timeouts = timeouts
        self.maxSendBytesPerSecond = maxSendBytesPerSecond
        self.uploadProgress = uploadProgress
    }
}

/// Credentials for HTTP authentication. Never logged; never part of an error message.
public struct HTTPAuthentication: Sendable {
    public enum Scheme: Sendable, Equatable {
        /// Basic only (sends the password in the clear on http://; use over https).
        case basic
        /// Digest only (what ONVIF devices and DVRs ask for).
        case digest
        /// Whatever the server offers, strongest first, but never Basic.
        case anySafe
    }
    public var username: String
    public var password: String
    public var scheme: Scheme

    public init(username: String, password: String, scheme: Scheme) {
        self.username = username
        self.password = password
        self.scheme = scheme
    }
}

/// How long a transfer may take. libcurl enforces all of them; a hanging peer ends in ``HTTPTransportError/Kind/timedOut``.
public struct HTTPTimeouts: Sendable, Equatable {
    /// From start to an established (TLS) connection.
    public var connect: Duration
    /// The whole transfer, connect included.
    public var total: Duration
    /// A transfer slower than ``lowSpeedBytesPerSecond`` for ``lowSpeedTime`` is abandoned.
    public var lowSpeedBytesPerSecond: Int
    public var lowSpeedTime: Duration

    public init(
        connect: Duration = .seconds(10), total: Duration = .seconds(60), lowSpeedBytesPerSecond: Int = 1,
        lowSpeedTime: Duration = .seconds(30)
    ) {
        self.connect = connect
        self.total = total
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedTime = lowSpeedTime
    }
}
