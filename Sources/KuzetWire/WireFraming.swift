/// Cuts RTSP/1.0 and HTTP/1.x messages off the front of the bytes received so far.
///
/// Every entry point is pure and incremental: give it all unread bytes; it answers nil when more
/// are needed (nothing consumed), a ``Framed`` message with the count of bytes to drop, or throws
/// a ``WireError``. Every length and count is checked against ``WireLimits`` before it is used,
/// so a caller that keeps at most `headerBytes + bodyBytes` unread never buffers without bound:
/// a message over a limit is refused as soon as the limit is passed, not when it ends.
///
/// Line endings: CRLF, and a bare LF is accepted too (RFC 2326 §4 and RFC 9112 §2.2 let a
/// receiver do so; some cameras send it). A CR anywhere else in a line, or a NUL, is refused.
/// Obsolete folded header lines are refused. `Transfer-Encoding: chunked` wins over
/// `Content-Length`; two different `Content-Length` values are refused.
public enum WireFraming {
    /// One request. Its body is `Content-Length` bytes (none without it) or chunked.
    public static func request(in bytes: some Collection<UInt8>, limits: WireLimits = WireLimits()) throws(WireError)
        -> Framed<WireRequest>?
    {
        try contiguous(bytes) { buffer throws(WireError) in
            guard let framed = try message(buffer, limits: limits, closed: false, bodyRequiresLength: true) else {
                return nil
            }
            guard case .request(let request) = framed.message else {
                throw .badStartLine("a response where a request was expected")
            }
            return Framed(message: request, consumed: framed.consumed)
        }
    }

    /// One response. HTTP `1xx` heads before it are skipped. Without `Content-Length` or chunking
    /// the body runs to the close of the connection (`closed`), unless `bodyRequiresLength` (RTSP:
    /// no length means no body).
    public static func response(
        in bytes: some Collection<UInt8>, limits: WireLimits = WireLimits(), closed: Bool = false,
        bodyRequiresLength: Bool = true
    ) throws(WireError) -> Framed<WireResponse>? {
        try contiguous(bytes) { buffer throws(WireError) in
            var skipped = 0
            while true {
                let rest = UnsafeBufferPointer(rebasing: buffer[skipped...])
                guard
                    let framed = try message(
                        rest, limits: limits, closed: closed, bodyRequiresLength: bodyRequiresLength)
                else { return nil }
                guard case .response(let response) = framed.message else {
                    throw .badStartLine("a request where a response was expected")
                }
                if (100..<200).contains(response.status) && response.version.hasPrefix("HTTP/") {
                    skipped += framed.consumed // 100 Continue and friends: read the real response
                    continue
                }
                return Framed(message: response, consumed: skipped + framed.consumed)
            }
        }
    }

    /// One request or response, as either side of an RTSP connection may send (body by
    /// `Content-Length` or chunks only).
    public static func message(in bytes: some Collection<UInt8>, limits: WireLimits = WireLimits()) throws(WireError)
        -> Framed<WireMessage>?
    {
        try contiguous(bytes) { buffer throws(WireError) in
            try message(buffer, limits: limits, closed: false, bodyRequiresLength: true)
        }
    }

    /// The header of an interleaved binary frame (`$`, channel, 16-bit length; RFC 2326 §10.12)
    /// when the bytes start with one; nil when fewer than 4 bytes are there or they start otherwise.
    public static func interleavedFrame(in bytes: some Collection<UInt8>) -> InterleavedFrame? {
        InterleavedFrame(prefix: bytes)
    }

    // MARK: - One message

    static func message(_ bytes: UnsafeBufferPointer<UInt8>, limits: WireLimits, closed: Bool, bodyRequiresLength: Bool)
        throws(WireError) -> Framed<WireMessage>?
    {
        guard let head = try scanHead(bytes, limits: limits) else { return nil }
        let isResponse = head.startLine.hasPrefix("RTSP/") || head.startLine.hasPrefix("HTTP/")
        var message: WireMessage
        if isResponse {
            message = .response(try statusLine(head.startLine, headers: head.headers))
        } else {
            message = .request(try requestLine(head.startLine, headers: head.headers))
        }
        var status = 0
        if case .response(let response) = message { status = response.status }
        let framing = try bodyFraming(head.headers, limits: limits)
        let bodyStart = head.length
        let available = bytes.count - bodyStart
        var body: [UInt8] = []
        var end = bodyStart
        switch framing {
        case .chunked:
            guard let (chunks, chunkedEnd) = try dechunk(bytes, from: bodyStart, limits: limits) else { return nil }
            body = chunks
            end = chunkedEnd
        case .length(let length):
            guard available >= length else { return nil }
            body = Array(bytes[bodyStart..<(bodyStart + length)])
            end = bodyStart + length
        case .none:
            // Without a length only an HTTP response with a body-bearing status runs to the close.
            if isResponse && !bodyRequiresLength && status != 204 && status != 304 && status >= 200 {
                guard available <= limits.bodyBytes else { throw .bodyTooLarge(limit: limits.bodyBytes) }
                guard closed else { return nil }
                body = Array(bytes[bodyStart...])
                end = bytes.count
            }
        }
        switch message {
        case .request(var request):
            request.body = body
            message = .request(request)
        case .response(var response):
            response.body = body
            message = .response(response)
        }
        return Framed(message: message, consumed: end)
    }

    /// Runs `body` over the bytes as one contiguous buffer (copied only when they are not).
    static func contiguous<Result>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(WireError) -> Result
    ) throws(WireError) -> Result {
        let outcome = bytes.withContiguousStorageIfAvailable { buffer in
            Swift.Result { () throws(WireError) -> Result in try body(buffer) }
        }
        if let outcome { return try outcome.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            Swift.Result { () throws(WireError) -> Result in try body(buffer) }
        }.get()
    }
}
