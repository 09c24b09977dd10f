import Foundation
import KuzetCore
import Logging
internal import CFFmpeg
internal import CFFmpegShims

/// Routes FFmpeg's own log (`av_log`) into swift-log under `kuzet.ffmpeg`, credentials redacted.
///
/// Installed once per process, by the first input or output opened (global C init exactly once).
enum MediaLog {
    static let logger = Logger(label: "kuzet.ffmpeg")

    private static let installed: Void = {
        avformat_network_init()
        CFFmpegShims_setLogSink({ level, line in
            let text = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return }
            let message = Logger.Message(stringLiteral: CredentialRedaction.redact(text))
            switch level {
            case ...AV_LOG_ERROR: MediaLog.logger.error(message)
            case ...AV_LOG_WARNING: MediaLog.logger.warning(message)
            default: MediaLog.logger.debug(message)
            }
        }, AV_LOG_WARNING)
    }()

    /// Idempotent; cheap after the first call.
    static func install() { _ = installed }
}
