extension WireFraming {
    struct Head {
        var startLine: String
        var headers: WireHeaders
        /// Bytes from the start of the buffer to the first body byte.
        var length: Int
    }

    static let lineFeed: UInt8 = 10
    static let carriageReturn: UInt8 = 13

    /// The next line starting at `start`: its content's range and where the line after begins;
    /// nil when its end has not arrived (and the limit is not passed yet).
    static func line(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, limits: WireLimits) throws(WireError) -> (
        content: Range<Int>, next: Int
    )? {
        // A line of `lineLength` bytes plus CRLF lies within `lineLength + 2` bytes.
        let searchEnd = start + min(bytes.count - start, limits.lineLength + 2)
        guard let feed = bytes[start..<searchEnd].firstIndex(of: lineFeed) else {
            if searchEnd - start >= limits.lineLength + 2 { throw .lineTooLong(limit: limits.lineLength) }
            return nil
        }
        var end = feed
        if end > start && bytes[end - 1] == carriageReturn { end -= 1 }
        guard end - start <= limits.lineLength else { throw .lineTooLong(limit: limits.lineLength) }
        if bytes[start..<end].contains(where: { $0 == carriageReturn || $0 == 0 }) { throw .badLineEnding }
        return (start..<end, feed + 1)
    }

    /// Start line and header fields up to the blank line; nil while it has not arrived.
    static func scanHead(_ bytes: UnsafeBufferPointer<UInt8>, limits: WireLimits) throws(WireError) -> Head? {
        var cursor = 0
        var startLine: String?
        // Empty lines before the start line are tolerated (RFC 9112 §2.2), within the head's bytes.
        while startLine == nil {
            guard let (content, next) = try line(bytes, from: cursor, limits: limits) else {
                if bytes.count > limits.headerBytes { throw .headerTooLarge(limit: limits.headerBytes) }
                return nil
            }
            guard next <= limits.headerBytes else { throw .headerTooLarge(limit: limits.headerBytes) }
            if !content.isEmpty { startLine = String(decoding: bytes[content], as: UTF8.self) }
            cursor = next
        }
        guard let (headers, end) = try fields(bytes, from: cursor, headStart: 0, limits: limits) else { return nil }
        return Head(startLine: startLine ?? "", headers: headers, length: end)
    }

    /// Header (or trailer) lines from `start` up to and including the blank line.
    static func fields(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, headStart: Int, limits: WireLimits)
        throws(WireError) -> (WireHeaders, Int)?
    {
        var headers: [(name: String, value: String)] = []
        var cursor = start
        while true {
            guard let (content, next) = try line(bytes, from: cursor, limits: limits) else {
                if bytes.count - headStart > limits.headerBytes { throw .headerTooLarge(limit: limits.headerBytes) }
                return nil
            }
            guard next - headStart <= limits.headerBytes else { throw .headerTooLarge(limit: limits.headerBytes) }
            cursor = next
            if content.isEmpty { return (WireHeaders(headers), cursor) }
            guard headers.count < limits.headerCount else { throw .tooManyHeaders(limit: limits.headerCount) }
            headers.append(try field(UnsafeBufferPointer(rebasing: bytes[content])))
        }
    }

    /// `Name: value` — the name a token without spaces, the value trimmed of spaces and tabs.
    static func field(_ line: UnsafeBufferPointer<UInt8>) throws(WireError) -> (name: String, value: String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            !line[..<colon].contains(where: { $0 == 32 || $0 == 9 })
        else { throw .badHeader(WireError.excerpt(line)) }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 32 || line[valueStart] == 9 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9 { valueEnd -= 1 }
        return (
            String(decoding: line[..<colon], as: UTF8.self),
            String(decoding: line[valueStart..<valueEnd], as: UTF8.self)
        )
    }

    /// `METHOD URI VERSION`.
    static func requestLine(_ line: String, headers: WireHeaders) throws(WireError) -> WireRequest {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("RTSP/") || parts[2].hasPrefix("HTTP/"),
            parts[0].utf8.allSatisfy({ $0 > 32 && $0 < 127 })
        else { throw .badStartLine(String(line.prefix(40))) }
        return WireRequest(method: String(parts[0]), uri: String(parts[1]), version: String(parts[2]), headers: headers)
    }

    /// `VERSION STATUS [REASON]`, the status three digits.
    static func statusLine(_ line: String, headers: WireHeaders) throws(WireError) -> WireResponse {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[1].utf8.count == 3, parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let status = Int(parts[1]), status >= 100
        else { throw .badStartLine(String(line.prefix(40))) }
        return WireResponse(
            version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers
        )
    }
}
