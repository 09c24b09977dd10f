/// A request (`DESCRIBE rtsp://… RTSP/1.0`, `POST /onvif/device_service HTTP/1.1`).
public struct WireRequest: Sendable, Equatable {
    public var method: String
    public var uri: String
    public var version: String
    public var headers: WireHeaders
    public var body: [UInt8]

    public init(method: String, uri: String, version: String, headers: WireHeaders = WireHeaders(), body: [UInt8] = [])
    {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.body = body
    }
}

/// A response (`RTSP/1.0 200 OK`, `HTTP/1.1 401 Unauthorized`).
public struct WireResponse: Sendable, Equatable {
    /// `RTSP/1.0`, `HTTP/1.1`…
    public var version: String
    public var status: Int
    public var reason: String
    public var headers: WireHeaders
    public var body: [UInt8]

    public init(version: String, status: Int, reason: String, headers: WireHeaders = WireHeaders(), body: [UInt8] = [])
    {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name] }
    public func headers(named name: String) -> [String] { headers.values(name) }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Either kind, as an RTSP connection carries both ways (a camera may send a request to its client).
public enum WireMessage: Sendable, Equatable {
    case request(WireRequest)
    case response(WireResponse)
}

/// A message cut off the front of a byte buffer, and how many bytes it took.
public struct Framed<Message: Sendable & Equatable>: Sendable, Equatable {
    public var message: Message
    /// Bytes to drop from the front of the buffer (head, body and any skipped `1xx` heads).
    public var consumed: Int

    public init(message: Message, consumed: Int) {
        self.message = message
        self.consumed = consumed
    }
}
