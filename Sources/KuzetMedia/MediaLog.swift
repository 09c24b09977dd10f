internal import CFFmpeg
internal import CFFmpegShims
import Foundation
import KuzetCore
import Logging

/// Routes FFmpeg's own log (`av_log`) into swift-log under `kuzet.ffmpeg`, credentials redacted.
///
/// Installed once per process, by the first input or output opened (global C init exactly once).
enum MediaLog {
    static let logger = Logger(label: "kuzet.ffmpeg")

    private static let installed: Void = {
        avformat_network_init()
        CFFmpegShims_setLogSink(
            { level, line in
                // A refused certificate is told only here (the call returns EIO): note it for the opener.
                if level <= AV_LOG_ERROR && strstr(line, "certificate") != nil {
                    TLSVerificationNote.record(String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines))
                }
                // Detail nobody asked for costs nothing: no String, no redaction regex.
                if level > AV_LOG_FATAL && MediaLog.logger.logLevel > .debug { return }
                let text = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { return }
                let message = Logger.Message(stringLiteral: CredentialRedaction.redact(text))
                // FFmpeg repeats its complaint on every retry ("Connection refused" each second while a
                // camera is down); the supervisors log the state change once, in words that say what
                // to fix. So FFmpeg's own errors and warnings are detail: visible with --log-level debug.
                switch level {
                case ...AV_LOG_FATAL: MediaLog.logger.error(message)
                default: MediaLog.logger.debug(message)
                }
            }, AV_LOG_WARNING)
    }()

    /// Idempotent; cheap after the first call.
    static func install() { _ = installed }
}
