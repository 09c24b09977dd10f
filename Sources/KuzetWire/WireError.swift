/// Why KuzetWire refused bytes: which limit was passed, or what is malformed. Callers answer
/// ``status`` (413 for a limit, 400 for a malformed message) or close; nothing here traps.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The head is longer than ``WireLimits/headerBytes``.
    case headerTooLarge(limit: Int)
    /// More header (or trailer) fields than ``WireLimits/headerCount``.
    case tooManyHeaders(limit: Int)
    /// A line longer than ``WireLimits/lineLength``.
    case lineTooLong(limit: Int)
    /// A body (announced, chunked or read to close) longer than ``WireLimits/bodyBytes``.
    case bodyTooLarge(limit: Int)
    /// A chunk larger than ``WireLimits/chunkSize``.
    case chunkTooLarge(limit: Int)
    /// An SDP with more lines than ``WireLimits/descriptionLines``.
    case descriptionTooLarge(limit: Int)
    /// The first line is neither a request line nor a status line (an excerpt, at most 40 bytes).
    case badStartLine(String)
    /// A header line without a name and a colon, or an obsolete folded line.
    case badHeader(String)
    /// A control character (NUL, or a CR not ending the line) inside a line.
    case badLineEnding
    /// `Content-Length` is not a decimal count (negative, signed, empty) or repeated with another value.
    case badContentLength(String)
    /// A transfer coding other than `chunked`.
    case unsupportedTransferEncoding(String)
    /// A chunk-size line that is not hexadecimal, or chunk data not followed by a line ending.
    case badChunk
    /// An `Authorization` or `WWW-Authenticate` value that cannot be read.
    case badAuthorization

    /// The kind of problem without any excerpt of the bytes (safe for a log line: a request line
    /// may carry credentials in its URL).
    public var kind: String {
        switch self {
        case .headerTooLarge: "header-too-large"
        case .tooManyHeaders: "too-many-headers"
        case .lineTooLong: "line-too-long"
        case .bodyTooLarge: "body-too-large"
        case .chunkTooLarge: "chunk-too-large"
        case .descriptionTooLarge: "description-too-large"
        case .badStartLine: "bad-start-line"
        case .badHeader: "bad-header"
        case .badLineEnding: "bad-line-ending"
        case .badContentLength: "bad-content-length"
        case .unsupportedTransferEncoding: "unsupported-transfer-encoding"
        case .badChunk: "bad-chunk"
        case .badAuthorization: "bad-authorization"
        }
    }

    /// True when a limit was passed (as opposed to a malformed message).
    public var isOverLimit: Bool {
        switch self {
        case .headerTooLarge, .tooManyHeaders, .lineTooLong, .bodyTooLarge, .chunkTooLarge, .descriptionTooLarge: true
        default: false
        }
    }

    /// The status a server answers before closing: 413 for a limit, 400 for a malformed message.
    public var status: Int { isOverLimit ? 413 : 400 }

    public var description: String {
        switch self {
        case .headerTooLarge(let limit): "message head over \(limit) bytes"
        case .tooManyHeaders(let limit): "more than \(limit) header fields"
        case .lineTooLong(let limit): "a line over \(limit) bytes"
        case .bodyTooLarge(let limit): "body over \(limit) bytes"
        case .chunkTooLarge(let limit): "a chunk over \(limit) bytes"
        case .descriptionTooLarge(let limit): "session description over \(limit) lines"
        case .badStartLine(let line): "not a request or status line (\(line))"
        case .badHeader(let line): "malformed header line (\(line))"
        case .badLineEnding: "a control character inside a line"
        case .badContentLength(let value): "Content-Length is not a byte count (\(value))"
        case .unsupportedTransferEncoding(let value): "unsupported Transfer-Encoding (\(value))"
        case .badChunk: "malformed chunked body"
        case .badAuthorization: "malformed authentication header"
        }
    }

    /// At most 40 bytes of `bytes` as text, for an error message.
    static func excerpt(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes.prefix(40), as: UTF8.self)
    }
}
