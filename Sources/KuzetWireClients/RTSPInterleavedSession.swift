import Foundation
import KuzetCore
import KuzetWire

#if canImport(Glibc)
    import Glibc
#endif

/// An RTSP session whose RTP arrives interleaved on the TCP connection (RFC 2326 §10.12), run
/// by us so the connection is read in large chunks: one `recv` brings a whole frame's RTP
/// packets. (libavformat's own RTSP client reads every RTP packet with three `poll` + `recv`
/// pairs — 1 byte, 3 bytes, the packet — which is most of an ingest thread's CPU at 4 Mbit/s.)
/// libavformat still does all the media work: KuzetMedia hands ``sessionDescription`` to its `sdp`
/// demuxer, which depacketizes and parses the RTP packets ``readPacket(into:)`` returns.
///
/// Handles OPTIONS/DESCRIBE/SETUP/PLAY with Basic or Digest authentication, keep-alives
/// (GET_PARAMETER when the camera offers it, OPTIONS otherwise) and TEARDOWN.
public final class RTSPInterleavedSession {
    /// The camera's SDP, reduced to its video and audio media (what was set up).
    public private(set) var sessionDescription = ""

    private let socket: InterruptibleSocket
    private let requestURL: String
    private let redactedURL: String
    private let credentials: (username: String, password: String)?
    private var challenge: DigestChallenge?
    private var basic = false
    private var nonceCount = 0
    private var sequence = 0
    private var session: String?
    private var keepAliveWithGetParameter = false
    private var keepAliveInterval: UInt64 = 30_000_000_000
    private var nextKeepAlive: UInt64 = .max
    /// Interleaved channel → (media index, is RTCP).
    private var channels: [UInt8: (media: Int, rtcp: Bool)] = [:]
    private var mediaWithRTP = Set<Int>()
    private var mediaCount = 0

    private static let capacity = 80 * 1024
    /// What a camera's RTSP answer may take (a DESCRIBE's SDP is the largest, a few KiB): head
    /// and body together fit the receive buffer, so a bad answer is refused, never buffered.
    static let limits = WireLimits(
        headerBytes: 16 * 1024, headerCount: 64, lineLength: 8 * 1024, bodyBytes: 48 * 1024, chunkSize: 48 * 1024)
    /// Owned by its own object so it is freed even when `init` throws half-way.
    private let storage = ReceiveBuffer(capacity: RTSPInterleavedSession.capacity)
    private var buffer: UnsafeMutableRawPointer { storage.bytes }
    private var head = 0
    private var tail = 0

    /// Whether `url` can be played this way: plain `rtsp://` (not rtsps) over TCP.
    public static func handles(_ url: String) -> Bool { url.lowercased().hasPrefix("rtsp://") }

    /// Connects and sets the session up to PLAY, within the interrupt's armed deadline. Throws
    /// ``WireClientError/Kind/unsupported`` for what it leaves to libavformat's RTSP client.
    public init(url: String, interrupt: any WireInterrupt) throws(WireClientError) {
        redactedURL = CredentialRedaction.redact(url)
        guard var components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw WireClientError(.invalidURL, operation: "open \(redactedURL)", reason: "not a valid rtsp:// URL")
        }
        credentials = components.user.map { ($0, components.password ?? "") }
        components.user = nil
        components.password = nil
        requestURL = components.string ?? url
        let port = components.port ?? 554
        socket = try InterruptibleSocket(
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: port, interrupt: interrupt)
        let options = try exchange("OPTIONS", requestURL)
        keepAliveWithGetParameter = options.header("Public")?.uppercased().contains("GET_PARAMETER") ?? false
        let describe = try exchange("DESCRIBE", requestURL, headers: ["Accept: application/sdp"])
        let base = describe.header("Content-Base") ?? describe.header("Content-Location") ?? requestURL
        let description: SessionDescriptionText
        do {
            description = try SessionDescriptionText(String(decoding: describe.body, as: UTF8.self))
        } catch {
            throw WireClientError(
                .brokenProtocol, operation: "open \(redactedURL)",
                reason: "the camera's session description is unreadable (\(error))")
        }
        guard !description.media.isEmpty else {
            throw WireClientError(
                .brokenProtocol, operation: "open \(redactedURL)",
                reason: "the camera described no video or audio stream")
        }
        let payloadTypes = description.media.map(\.payloadType)
        if Set(payloadTypes).count != payloadTypes.count { throw Self.needsLibavformat }
        mediaCount = description.media.count
        sessionDescription = description.text
        for (index, media) in description.media.enumerated() {
            let control = Self.controlURL(
                media.control, base: description.control.map { Self.controlURL($0, base: base) } ?? base)
            let rtp = UInt8(index * 2)
            let reply = try exchange(
                "SETUP", control, headers: ["Transport: RTP/AVP/TCP;unicast;interleaved=\(rtp)-\(rtp + 1)"])
            if session == nil, let value = reply.header("Session") {
                let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                session = parts.first
                if let timeout = parts.dropFirst().first(where: { $0.lowercased().hasPrefix("timeout=") }),
                    let seconds = UInt64(timeout.dropFirst(8)), seconds >= 4
                {
                    keepAliveInterval = seconds * 1_000_000_000 / 2
                }
            }
            var channel = rtp
            if let transport = reply.header("Transport"),
                let range = transport.split(separator: ";").first(where: { $0.hasPrefix("interleaved=") }),
                let first = range.dropFirst(12).split(separator: "-").first.flatMap({ UInt8($0) })
            {
                channel = first
            }
            channels[channel] = (index, false)
            channels[channel &+ 1] = (index, true)
        }
        _ = try exchange(
            "PLAY", Self.controlURL(description.control ?? base, base: base), headers: ["Range: npt=0.000-"])
        socket.batchReads(bytes: 16 * 1024)
        nextKeepAlive = Self.now() + keepAliveInterval
    }

    /// Thrown for what this client leaves to libavformat's own RTSP client: two media sharing an
    /// RTP payload type (the `sdp` demuxer tells streams apart by payload type) and redirects.
    static let needsLibavformat = WireClientError(
        .unsupported, operation: "interleaved RTSP", reason: "left to libavformat's RTSP client")

    deinit {
        if let session {
            socket.sendIfPossible(request("TEARDOWN", requestURL, headers: ["Session: \(session)"]))
        }
        socket.close()
    }

    /// The next RTP or RTCP packet of a set-up medium, copied into the front of `destination`;
    /// returns its length. A packet longer than `destination` is skipped. RTCP of one medium is
    /// held back until every medium has sent RTP (libavformat maps RTCP by SSRC).
    public func readPacket(into destination: inout MutableRawSpan) throws(WireClientError) -> Int {
        while true {
            try fill(atLeast: 1)
            let first = buffer.load(fromByteOffset: head, as: UInt8.self)
            guard first == 0x24 else {
                if first == UInt8(ascii: "R") || (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")) {
                    _ = try readMessage() // a keep-alive answer or a request from the camera: nothing to do
                } else {
                    head += 1 // garbage between frames: resynchronise on the next `$`
                }
                continue
            }
            let frame = try fillInterleavedFrame()
            let length = frame.length
            let payload = buffer + head + InterleavedFrame.headerLength
            head += frame.totalLength
            guard let route = channels[frame.channel], length <= destination.byteCount, length >= 8 else { continue }
            if route.rtcp {
                if mediaWithRTP.count < mediaCount { continue }
            } else if mediaWithRTP.count < mediaCount {
                mediaWithRTP.insert(route.media)
            }
            destination.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: payload, byteCount: length) }
            return length
        }
    }

    // MARK: - Requests

    /// Sends a request and waits for its answer, authenticating once on a 401.
    private func exchange(_ method: String, _ uri: String, headers: [String] = []) throws(WireClientError)
        -> WireResponse
    {
        var extra = headers
        if let session { extra.append("Session: \(session)") }
        try socket.send(request(method, uri, headers: extra), operation: "\(method) \(redactedURL)")
        var response = try readResponse(method)
        if response.status == 401, credentials != nil, challenge == nil && !basic {
            let offered = response.headers(named: "WWW-Authenticate")
            if let digest = DigestChallenge(headers: offered) {
                challenge = digest
            } else if BasicAuthorization.isOffered(offered) {
                basic = true
            }
            if challenge != nil || basic {
                try socket.send(request(method, uri, headers: extra), operation: "\(method) \(redactedURL)")
                response = try readResponse(method)
            }
        }
        if (300..<400).contains(response.status) { throw Self.needsLibavformat }
        guard response.status == 200 else {
            let operation =
                method == "OPTIONS" || method == "DESCRIBE" ? "open \(redactedURL)" : "\(method) \(redactedURL)"
            throw WireClientError(
                .status(response.status), operation: operation,
                reason: "the camera answered \(method) with RTSP \(response.status) \(response.reason)")
        }
        return response
    }

    private func request(_ method: String, _ uri: String, headers: [String]) -> [UInt8] {
        sequence += 1
        var text = "\(method) \(uri) RTSP/1.0\r\nCSeq: \(sequence)\r\nUser-Agent: kuzet-agent\r\n"
        for header in headers { text += header + "\r\n" }
        if let credentials {
            if let challenge {
                nonceCount += 1
                text +=
                    "Authorization: "
                    + challenge.authorization(
                        method: method, uri: uri, username: credentials.username, password: credentials.password,
                        nonceCount: nonceCount) + "\r\n"
            } else if basic {
                text +=
                    "Authorization: "
                    + BasicAuthorization(username: credentials.username, password: credentials.password).header + "\r\n"
            }
        }
        return Array((text + "\r\n").utf8)
    }

    /// The next RTSP answer, skipping interleaved data that arrives before it.
    private func readResponse(_ method: String) throws(WireClientError) -> WireResponse {
        while true {
            try fill(atLeast: 1)
            if buffer.load(fromByteOffset: head, as: UInt8.self) == 0x24 {
                let frame = try fillInterleavedFrame() // may move the unread bytes: `head` is read after
                head += frame.totalLength
                continue
            }
            let message = try readMessage()
            guard let message else { continue }
            return message
        }
    }

    /// Reads one RTSP message (head and body) through KuzetWire; nil when it was a request from
    /// the camera. A message over ``limits`` or malformed is the camera's problem, said so.
    private func readMessage() throws(WireClientError) -> WireResponse? {
        while true {
            let framed: Framed<WireMessage>?
            do {
                framed = try WireFraming.message(
                    in: UnsafeRawBufferPointer(start: buffer + head, count: tail - head), limits: Self.limits)
            } catch {
                throw problem(error)
            }
            guard let framed else {
                try fill(atLeast: tail - head + 1) // within the limits: at most 64 KiB of the 80 KiB buffer
                continue
            }
            head += framed.consumed
            switch framed.message {
            case .request:
                return nil // the camera asks us something: nothing to do
            case .response(let response):
                guard response.version.hasPrefix("RTSP/") else {
                    throw WireClientError(
                        .brokenProtocol, operation: "open \(redactedURL)",
                        reason:
                            "the server did not answer in RTSP (\(response.version) \(response.status)) — is this the camera's RTSP port?"
                    )
                }
                return response
            }
        }
    }

    /// A refused camera message as a WireClientError naming the camera's problem.
    private func problem(_ error: WireError) -> WireClientError {
        let reason: String
        switch error {
        case .badStartLine(let line):
            reason = "the server did not answer in RTSP (\(line)) — is this the camera's RTSP port?"
        case _ where error.isOverLimit: reason = "the camera sent an RTSP answer over the limit (\(error))"
        default: reason = "the camera sent a malformed RTSP answer (\(error))"
        }
        return WireClientError(.brokenProtocol, operation: "open \(redactedURL)", reason: reason)
    }

    // MARK: - Buffer

    /// With `$` at `head`: makes the whole interleaved frame available (at most 65,539 bytes,
    /// within the buffer); returns its header.
    private func fillInterleavedFrame() throws(WireClientError) -> InterleavedFrame {
        try fill(atLeast: InterleavedFrame.headerLength)
        guard
            let frame = InterleavedFrame(
                prefix: UnsafeRawBufferPointer(start: buffer + head, count: InterleavedFrame.headerLength))
        else {
            throw WireClientError(
                .brokenProtocol, operation: "read \(redactedURL)", reason: "the camera sent a broken interleaved frame")
        }
        try fill(atLeast: frame.totalLength)
        return frame
    }

    /// Makes at least `count` unread bytes available, receiving as much as the socket has.
    private func fill(atLeast count: Int) throws(WireClientError) {
        guard tail - head < count else { return }
        if count > Self.capacity {
            throw WireClientError(
                .brokenProtocol, operation: "read \(redactedURL)", reason: "an interleaved frame larger than the buffer"
            )
        }
        // Unread bytes move to the front before each receive: the buffer's first pages are the
        // only ones ever touched (a frame's RTP packets are consumed as soon as they arrive).
        if head > 0 {
            let unread = tail - head
            if unread > 0 && head > 0 { buffer.copyMemory(from: buffer + head, byteCount: unread) }
            head = 0
            tail = unread
        }
        while tail - head < count {
            tail += try socket.receive(
                into: buffer + tail, count: Self.capacity - tail, operation: "read \(redactedURL)")
        }
        if session != nil { try keepAliveIfDue() }
    }

    private func keepAliveIfDue() throws(WireClientError) {
        let now = Self.now()
        guard now >= nextKeepAlive, let session else { return }
        nextKeepAlive = now + keepAliveInterval
        let method = keepAliveWithGetParameter ? "GET_PARAMETER" : "OPTIONS"
        try socket.send(
            request(method, requestURL, headers: ["Session: \(session)"]), operation: "\(method) \(redactedURL)")
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// A media's control attribute resolved against the base URL (as libavformat does).
    static func controlURL(_ control: String, base: String) -> String {
        if control.lowercased().hasPrefix("rtsp://") || control.lowercased().hasPrefix("rtsps://") { return control }
        if control == "*" || control.isEmpty { return base }
        return base.hasSuffix("/") ? base + control : base + "/" + control
    }
}
