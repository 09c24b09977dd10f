extension WireFraming {
    enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
    }

    /// How the body after `headers` is delimited.
    static func bodyFraming(_ headers: WireHeaders, limits: WireLimits) throws(WireError) -> BodyFraming {
        if let coding = headers["Transfer-Encoding"] {
            let last = coding.split(separator: ",").last.map { String($0.filter { $0 != " " && $0 != "\t" }) }
            guard let last, WireHeaders.same(last, "chunked") else {
                throw .unsupportedTransferEncoding(String(coding.prefix(40)))
            }
            return .chunked
        }
        var length: Int?
        for value in headers.values("Content-Length") {
            let parsed = try contentLength(value, limit: limits.bodyBytes)
            if let length, length != parsed { throw .badContentLength("two different values") }
            length = parsed
        }
        return length.map { .length($0) } ?? .none
    }

    /// A `Content-Length` value: decimal digits only (no sign, no spaces inside). A value over
    /// `limit` is refused digit by digit, before it could overflow.
    public static func contentLength(_ text: String, limit: Int) throws(WireError) -> Int {
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw .badContentLength(String(text.prefix(24)))
        }
        var value = 0
        for digit in digits {
            value = value * 10 + Int(digit - 48) // value ≤ limit ≤ 2^30 here: no overflow
            if value > limit { throw .bodyTooLarge(limit: limit) }
        }
        return value
    }

    /// A chunk-size line (`1a3f;extension`): hexadecimal, at most `limit`.
    static func chunkSize(_ line: UnsafeBufferPointer<UInt8>, limit: Int) throws(WireError) -> Int {
        var end = line.firstIndex(of: UInt8(ascii: ";")) ?? line.count
        while end > 0, line[end - 1] == 32 || line[end - 1] == 9 { end -= 1 }
        guard end > 0 else { throw .badChunk }
        var size = 0
        for byte in line[..<end] {
            let digit: Int
            switch byte {
            case 48...57: digit = Int(byte - 48)
            case 97...102: digit = Int(byte - 87)
            case 65...70: digit = Int(byte - 55)
            default: throw .badChunk
            }
            size = size * 16 + digit // size ≤ limit ≤ 2^30 here: no overflow
            if size > limit { throw .chunkTooLarge(limit: limit) }
        }
        return size
    }

    /// A chunked body from `start`: the joined chunks and where the message ends (after the
    /// trailer fields); nil until the last chunk and its blank line have arrived.
    static func dechunk(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, limits: WireLimits) throws(WireError) -> (
        [UInt8], Int
    )? {
        var body: [UInt8] = []
        var cursor = start
        while true {
            guard let (content, dataStart) = try line(bytes, from: cursor, limits: limits) else { return nil }
            let size = try chunkSize(UnsafeBufferPointer(rebasing: bytes[content]), limit: limits.chunkSize)
            if size == 0 {
                guard let (_, end) = try fields(bytes, from: dataStart, headStart: dataStart, limits: limits) else {
                    return nil
                }
                return (body, end)
            }
            guard size <= limits.bodyBytes - body.count else { throw .bodyTooLarge(limit: limits.bodyBytes) }
            // The data, then its line ending (CRLF, or a bare LF).
            guard bytes.count - dataStart > size else { return nil }
            let after = dataStart + size
            if bytes[after] == lineFeed {
                cursor = after + 1
            } else if bytes[after] == carriageReturn {
                guard bytes.count - after >= 2 else { return nil }
                guard bytes[after + 1] == lineFeed else { throw .badChunk }
                cursor = after + 2
            } else {
                throw .badChunk
            }
            body.append(contentsOf: bytes[dataStart..<after])
        }
    }
}
