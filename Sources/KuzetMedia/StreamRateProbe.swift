internal import CFFmpeg
internal import CFFmpegShims
import Foundation
import KuzetCore

/// Measures a live stream's rate by reading it for a few seconds with libavformat (used by
/// `kuzet-agent check` for streams without recordings, e.g. a sub stream a plan proposes).
public enum StreamRateProbe {
    /// Silences libav*'s own log lines on stderr (they may name a URL): for the short-lived
    /// commands (`check`, `export`) that report errors themselves. Process-wide; the daemon
    /// routes libav's log through swift-log instead.
    public static func silenceLibraryLog() { av_log_set_level(AV_LOG_QUIET) }

    /// Reads `url` until `seconds` of its video have arrived and returns all its tracks' payload
    /// rate in kbit/s over that video time. Blocking: call from a dedicated thread. `url` may hold
    /// credentials; errors name it redacted.
    public static func measure(url: String, tcp: Bool = true, seconds: Double = 4, timeoutSeconds: Double = 8)
        throws(MediaError) -> Double
    {
        let shown = CredentialRedaction.redact(url)
        var options: OpaquePointer? = nil
        if url.lowercased().hasPrefix("rtsp") { av_dict_set(&options, "rtsp_transport", tcp ? "tcp" : "udp", 0) }
        av_dict_set(&options, "timeout", String(Int(timeoutSeconds * 1_000_000)), 0)
        var context: UnsafeMutablePointer<AVFormatContext>?
        let opened = avformat_open_input(&context, url, nil, &options)
        av_dict_free(&options)
        try MediaError.check(opened, "open \(shown)")
        defer { avformat_close_input(&context) }
        guard let context else { throw MediaError(code: -22, operation: "open \(shown)", reason: "no context") }
        let packet = av_packet_alloc()!
        defer {
            var doomed: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&doomed)
        }
        let deadline = MonotonicInstant.now().adding(seconds: seconds + timeoutSeconds)
        var bytes = 0
        var first: Double?
        var last: Double?
        while MonotonicInstant.now() < deadline {
            let read = av_read_frame(context, packet)
            if read < 0 {
                if read == CFFmpegShims_AVERROR_EOF() { break }
                try MediaError.check(read, "read \(shown)")
            }
            defer { av_packet_unref(packet) }
            let stream = context.pointee.streams[Int(packet.pointee.stream_index)]!
            let ts = packet.pointee.dts != CFFmpegShims_AV_NOPTS_VALUE() ? packet.pointee.dts : packet.pointee.pts
            if stream.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO, ts != CFFmpegShims_AV_NOPTS_VALUE() {
                let at = Double(ts) * av_q2d(stream.pointee.time_base)
                if first == nil { first = at } else { bytes += Int(packet.pointee.size) }
                last = at
                if let first, at - first >= seconds { break }
            } else if first != nil {
                bytes += Int(packet.pointee.size)
            }
        }
        guard let first, let last, last > first else {
            throw MediaError(
                code: -5, operation: "measure \(shown)",
                reason: "no video arrived within \(Int(seconds + timeoutSeconds)) s")
        }
        return Double(bytes) * 8 / (last - first) / 1000
    }
}
