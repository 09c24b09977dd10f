/// What the relay can say about a presentation when a client asks for it.
public enum RelayAvailability: Sendable, Equatable {
    /// The camera (or its sub stream) is not configured: 404.
    case unknown
    /// Configured, but the camera's upstream is not up right now: 503.
    case offline
    /// Live, with this SDP and this many relayed tracks (`streamid=0…N-1`).
    case live(sdp: String, trackCount: Int)
}

/// One RTSP client session's state machine (RFC 2326 §A.1, server side), without I/O: a request
/// in, a response and at most one ``Action`` out. The connection handler does the I/O.
public struct RTSPSession: Sendable {
    public enum State: Sendable, Equatable { case initial, ready, playing }

    public enum Action: Sendable, Equatable {
        /// Start sending the presentation's tracks over these transports.
        case play(RelayPath, [Int: RTSPTransport])
        /// Stop sending (PAUSE or TEARDOWN).
        case stop
        /// Close the connection once the response is sent (too many wrong passwords).
        case close
    }

    public static let methods = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER"
    public static let defaultTimeoutSeconds = 60
    public static let defaultMaximumFailedAuthorizations = 5

    public private(set) var state: State = .initial
    public let id: String
    /// Seconds without a request after which the server drops the session (announced in
    /// `Session: …;timeout=`; the connection handler enforces it).
    public let timeoutSeconds: Int
    /// Wrong `Authorization:` headers counted on this connection so far.
    public private(set) var failedAuthorizations = 0
    private let maximumFailedAuthorizations: Int
    private let authenticator: RTSPDigestAuthenticator?
    private let serverPorts: (rtp: Int, rtcp: Int)
    private let availability: @Sendable (RelayPath) -> RelayAvailability
    private var path: RelayPath?
    private var transports: [Int: RTSPTransport] = [:]
    private var nextChannel: UInt8 = 0

    /// - Parameters:
    ///   - authenticator: nil when the relay has no credentials configured (open relay).
    ///   - serverPorts: the relay's UDP ports for RTP and RTCP (shared by all sessions).
    ///   - availability: what the relay has for a path, asked at DESCRIBE and SETUP.
    ///   - maximumFailedAuthorizations: wrong `Authorization:` headers allowed; the next wrong
    ///     one is answered 403 with ``Action/close`` (a request without the header is the normal
    ///     first step of Digest and does not count).
    public init(
        id: String = String(UInt64.random(in: 1...UInt64.max), radix: 16), authenticator: RTSPDigestAuthenticator?,
        serverPorts: (rtp: Int, rtcp: Int), timeoutSeconds: Int = RTSPSession.defaultTimeoutSeconds,
        maximumFailedAuthorizations: Int = RTSPSession.defaultMaximumFailedAuthorizations,
        availability: @escaping @Sendable (RelayPath) -> RelayAvailability
    ) {
        self.id = id
        self.timeoutSeconds = timeoutSeconds
        self.maximumFailedAuthorizations = maximumFailedAuthorizations
        self.authenticator = authenticator
        self.serverPorts = serverPorts
        self.availability = availability
    }

    public mutating func handle(_ request: RTSPRequest) -> (RTSPResponse, Action?) {
        guard request.version == "RTSP/1.0" else { return (RTSPResponse(status: 505), nil) }
        if request.method != "OPTIONS", let authenticator,
            !authenticator.accepts(authorization: request[header: "Authorization"], method: request.method)
        {
            if request[header: "Authorization"] != nil {
                failedAuthorizations += 1
                if failedAuthorizations > maximumFailedAuthorizations { return (RTSPResponse(status: 403), .close) }
            }
            return (RTSPResponse(status: 401, headers: [("WWW-Authenticate", authenticator.challenge)]), nil)
        }
        if ["PLAY", "PAUSE", "TEARDOWN"].contains(request.method) || (request.method == "SETUP" && state != .initial) {
            guard let given = request[header: "Session"]?.split(separator: ";").first, given == id else {
                return (RTSPResponse(status: 454), nil)
            }
        }
        switch request.method {
        case "OPTIONS": return (RTSPResponse(status: 200, headers: [("Public", Self.methods)]), nil)
        case "GET_PARAMETER", "SET_PARAMETER": return (RTSPResponse(status: 200, headers: sessionHeader), nil)
        case "DESCRIBE": return (describe(request), nil)
        case "SETUP": return (setup(request), nil)
        case "PLAY": return play(request)
        case "PAUSE":
            guard state != .initial else { return (RTSPResponse(status: 455), nil) }
            let wasPlaying = state == .playing
            state = .ready
            return (RTSPResponse(status: 200, headers: sessionHeader), wasPlaying ? .stop : nil)
        case "TEARDOWN":
            let wasPlaying = state == .playing
            state = .initial
            transports = [:]
            path = nil
            return (RTSPResponse(status: 200), wasPlaying ? .stop : nil)
        default:
            return (RTSPResponse(status: 501, headers: [("Public", Self.methods)]), nil)
        }
    }

    /// The relay would not take one more client (a cap is reached): the PLAY that asked is
    /// answered with `status` instead, and the session stays ready to PLAY again later.
    public mutating func refusePlay(status: Int) -> RTSPResponse {
        if state == .playing { state = .ready }
        return RTSPResponse(status: status, headers: sessionHeader + [("Retry-After", "10")])
    }

    private var sessionHeader: [(name: String, value: String)] {
        state == .initial ? [] : [("Session", "\(id);timeout=\(timeoutSeconds)")]
    }

    private func describe(_ request: RTSPRequest) -> RTSPResponse {
        guard let path = RelayPath(uri: request.uri), path.track == nil else { return RTSPResponse(status: 404) }
        switch availability(path) {
        case .unknown: return RTSPResponse(status: 404)
        case .offline: return RTSPResponse(status: 503, headers: [("Retry-After", "5")])
        case .live(let sdp, _):
            let base = request.uri.hasSuffix("/") ? request.uri : request.uri + "/"
            return RTSPResponse(
                status: 200, headers: [("Content-Base", base), ("Content-Type", "application/sdp")], body: sdp)
        }
    }

    private mutating func setup(_ request: RTSPRequest) -> RTSPResponse {
        guard var requested = RelayPath(uri: request.uri) else { return RTSPResponse(status: 404) }
        guard state != .playing else { return RTSPResponse(status: 455) }
        guard case .live(_, let trackCount) = availability(requested.withoutTrack) else {
            return RTSPResponse(status: availability(requested) == .unknown ? 404 : 503)
        }
        if requested.track == nil && trackCount == 1 { requested.track = 0 }
        guard let track = requested.track, track < trackCount else { return RTSPResponse(status: 404) }
        if let path, path != requested.withoutTrack { return RTSPResponse(status: 459) }
        guard let header = request[header: "Transport"],
            let transport = RTSPTransport.choose(from: header, nextChannel: nextChannel)
        else {
            return RTSPResponse(status: 461)
        }
        if case .interleaved(_, let rtcp) = transport { nextChannel = max(nextChannel, rtcp &+ 1) }
        path = requested.withoutTrack
        transports[track] = transport
        state = .ready
        return RTSPResponse(
            status: 200,
            headers: [("Transport", transport.headerValue(ssrc: nil, serverPorts: serverPorts))] + sessionHeader)
    }

    private mutating func play(_ request: RTSPRequest) -> (RTSPResponse, Action?) {
        guard state != .initial, let path else { return (RTSPResponse(status: 455), nil) }
        let wasPlaying = state == .playing
        state = .playing
        let response = RTSPResponse(status: 200, headers: sessionHeader + [("Range", "npt=0.000-")])
        return (response, wasPlaying ? nil : .play(path, transports))
    }
}
