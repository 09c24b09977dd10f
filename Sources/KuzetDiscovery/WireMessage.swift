import Foundation
/// A response read off an HTTP/1.x or RTSP/1.0 connection: status, headers and body.
public struct WireMessage: Sendable, Equatable {
    public var protocolName: String
    public var status: Int
    public var reason: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public static func == (lhs: WireMessage, rhs: WireMessage) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// The first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every header called `name` (e.g. several `WWW-Authenticate`).
    public func headers(named name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why a response could not be framed.
public enum WireFramingError: Error, Sendable, Equatable {
    case badStatusLine(String)
    case headersTooLarge
    case badChunk
}

/// Cuts one response out of the bytes received so far.
///
/// Returns nil while more bytes are needed. `closed` says the peer closed the connection (a body
/// without length then ends there — HTTP/1.0 style).
enum WireFraming {
    static let maxHeaderBytes = 64 * 1024

    static func frame(_ bytes: [UInt8], closed: Bool, bodyRequiresLength: Bool) throws(WireFramingError) -> WireMessage? {
        var start = 0
        while true {
            guard let headerEnd = find(crlfcrlf, in: bytes, from: start) else {
                if bytes.count - start > maxHeaderBytes { throw .headersTooLarge }
                return nil
            }
            let headText = String(decoding: bytes[start..<headerEnd], as: UTF8.self)
            var lines = headText.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/") || parts[0].hasPrefix("RTSP/"), let status = Int(parts[1]) else {
                throw .badStatusLine(String(statusLine.prefix(80)))
            }
            var headers: [(name: String, value: String)] = []
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
            let bodyStart = headerEnd + 4
            var message = WireMessage(protocolName: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [])
            if (100..<200).contains(status) && parts[0].hasPrefix("HTTP/") {
                start = bodyStart  // 100 Continue and friends: skip, read the real response
                continue
            }
            if message.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
                guard let body = try dechunk(bytes, from: bodyStart) else { return nil }
                message.body = body
                return message
            }
            if let lengthText = message.header("Content-Length"), let length = Int(lengthText) {
                guard bytes.count - bodyStart >= length else { return nil }
                message.body = Array(bytes[bodyStart..<(bodyStart + length)])
                return message
            }
            if bodyRequiresLength || status == 204 || status == 304 { return message }
            guard closed else { return nil }
            message.body = Array(bytes[bodyStart...])
            return message
        }
    }

    static let crlfcrlf: [UInt8] = [13, 10, 13, 10]

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    /// Decodes a chunked body; nil when the final chunk has not arrived yet.
    static func dechunk(_ bytes: [UInt8], from start: Int) throws(WireFramingError) -> [UInt8]? {
        var body: [UInt8] = []
        var index = start
        while true {
            guard let lineEnd = find([13, 10], in: bytes, from: index) else { return nil }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else { throw .badChunk }
            let dataStart = lineEnd + 2
            if size == 0 { return body }
            guard bytes.count >= dataStart + size + 2 else { return nil }
            body += bytes[dataStart..<(dataStart + size)]
            index = dataStart + size + 2
        }
    }
}
