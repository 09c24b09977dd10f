internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// A libav* failure, converted at one choke point (``MediaError/check(_:_:)``) from its negative code.
public struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The negative AVERROR code.
    public var code: Int32
    /// What we were doing, e.g. "open rtsp://admin:***@10.0.0.5/…".
    public var operation: String
    /// FFmpeg's own words for `code`.
    public var reason: String

    public init(code: Int32, operation: String, reason: String) {
        self.code = code
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "\(operation): \(reason)" }

    /// The end of the input was reached.
    public var isEndOfFile: Bool { code == CFFmpegShims_AVERROR_EOF() }
    /// The call was interrupted by our interrupt callback (shutdown or timeout).
    public var isInterrupted: Bool { code == CFFmpegShims_AVERROR_EXIT() }

    /// Throws a ``MediaError`` when `result` is negative; returns it otherwise.
    @discardableResult
    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(MediaError) -> Int32 {
        guard result < 0 else { return result }
        throw MediaError(code: result, operation: operation(), reason: Self.reason(result))
    }

    static func reason(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        av_strerror(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }
}

extension MediaError {
    /// What kind of failure this is, for messages that say what to fix.
    public enum Kind: Sendable, Equatable {
        case unauthorized, forbidden, notFound, refused, unreachable, timedOut, interrupted, endOfFile, other
    }

    /// The source ended (a camera closing its session, the end of a file).
    public static func endOfStream(_ operation: String) -> MediaError {
        MediaError(code: CFFmpegShims_AVERROR_EOF(), operation: operation, reason: "end of stream")
    }

    public var kind: Kind {
        switch code {
        case CFFmpegShims_AVERROR_HTTP(401): .unauthorized
        case CFFmpegShims_AVERROR_HTTP(403): .forbidden
        case CFFmpegShims_AVERROR_HTTP(404): .notFound
        case CFFmpegShims_AVERROR(ECONNREFUSED): .refused
        case CFFmpegShims_AVERROR(EHOSTUNREACH), CFFmpegShims_AVERROR(ENETUNREACH), CFFmpegShims_AVERROR(ETIMEDOUT):
            .unreachable
        case CFFmpegShims_AVERROR_EOF(): .endOfFile
        case CFFmpegShims_AVERROR_EXIT(): reason.hasSuffix("(timed out)") ? .timedOut : .interrupted
        default: reason.contains("resolve") || reason.contains("Name or service") ? .unreachable : .other
        }
    }
}
