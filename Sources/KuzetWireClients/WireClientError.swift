/// What went wrong talking to a camera (RTSP) or to the centre's server (RTMP), in words that say
/// whose fault it is. KuzetMedia turns it into a `MediaError` in one place
/// (`MediaError.init(_: WireClientError)`), so a failure reads the same whichever client ran.
public struct WireClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL cannot be used by this client (no host, not the client's scheme).
        case invalidURL
        /// The host has no address we can connect to (the name did not resolve).
        case noAddress
        /// A socket call failed (connection refused, reset, host unreachable): its `errno`.
        case system(errno: Int32)
        /// The peer closed the connection.
        case closed
        /// The caller's ``WireInterrupt`` ended the wait (shutdown or its deadline).
        case interrupted
        /// The camera answered a request with this RTSP status instead of 200.
        case status(Int)
        /// The peer broke the protocol: a malformed answer, one over a limit, not RTSP/RTMP at all.
        case brokenProtocol
        /// The server refused what we asked (RTMP `_error`, an `onStatus` at level error).
        case refused
        /// What this client leaves to a general one (libavformat's): redirects, two media sharing
        /// an RTP payload type.
        case unsupported
    }

    public var kind: Kind
    /// What we were doing, e.g. "open rtsp://admin:***@10.0.0.5/…" (credentials redacted).
    public var operation: String
    /// What the peer or the system did, e.g. "the camera sent a malformed RTSP answer (…)".
    public var reason: String

    public init(_ kind: Kind, operation: String, reason: String) {
        self.kind = kind
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "\(operation): \(reason)" }

    /// The peer closed the connection while we were doing `operation`.
    static func closed(_ operation: String) -> WireClientError {
        WireClientError(.closed, operation: operation, reason: "end of stream")
    }
}
