internal import CFFmpegShims
import Foundation
import KuzetWireClients

extension MediaError {
    /// The one place a failure of our own RTSP session or RTMP publisher becomes a ``MediaError``,
    /// with the code libavformat's own client gives for the same failure, so ``kind`` and the
    /// messages read the same whichever client ran (and libavformat's custom I/O callbacks can
    /// return ``code``).
    init(_ error: WireClientError) {
        var reason = error.reason
        let code: Int32
        switch error.kind {
        case .invalidURL: code = CFFmpegShims_AVERROR(EINVAL)
        case .noAddress: code = CFFmpegShims_AVERROR(EIO)
        case .system(let number): code = CFFmpegShims_AVERROR(number)
        case .closed: code = CFFmpegShims_AVERROR_EOF()
        case .interrupted: code = CFFmpegShims_AVERROR_EXIT()
        case .status(let status):
            // 400, 401, 403, 404 (and libavformat's 4xx/5xx catch-alls): its code and its words.
            let http = CFFmpegShims_AVERROR_HTTP(Int32(clamping: status))
            if http != 0 {
                code = http
                reason = Self.reason(http)
            } else {
                code = CFFmpegShims_AVERROR_INVALIDDATA()
            }
        case .brokenProtocol: code = CFFmpegShims_AVERROR_INVALIDDATA()
        case .refused: code = CFFmpegShims_AVERROR(EACCES)
        case .unsupported: code = CFFmpegShims_AVERROR(ENOTSUP)
        }
        self.init(code: code, operation: error.operation, reason: reason)
    }
}
