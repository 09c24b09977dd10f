internal import CFFmpeg
internal import CFFmpegShims
import Foundation
import KuzetCore
import KuzetWireClients

/// One opened source (an RTSP camera stream, or a file in tests), read packet by packet.
///
/// Every call blocks; run it on a dedicated thread, never on Swift's cooperative pool.
/// Not Sendable on purpose: an `AVFormatContext` is used by one thread at a time.
public final class MediaInput {
    public struct Options: Sendable {
        public enum Transport: String, Sendable { case tcp, udp }
        public var transport: Transport
        /// How long opening (connect, DESCRIBE, SETUP, PLAY, probing) may take.
        public var openTimeout: Double
        /// How long one read may wait for a packet before the source counts as stalled.
        public var readTimeout: Double
        /// Seconds of stream libavformat may read to learn the tracks' parameters (shorter for an
        /// on-demand stream, whose viewer waits for it).
        public var probeSeconds: Double
        public init(
            transport: Transport = .tcp, openTimeout: Double = 10, readTimeout: Double = 5, probeSeconds: Double = 1
        ) {
            self.transport = transport
            self.openTimeout = openTimeout
            self.readTimeout = readTimeout
            self.probeSeconds = probeSeconds
        }
    }

    private var context: UnsafeMutablePointer<AVFormatContext>?
    /// Our own RTSP-over-TCP connection, when libavformat demuxes it through custom I/O.
    private var source: InterleavedRTSPSource?
    private let packet: UnsafeMutablePointer<AVPacket>
    private let interrupt: MediaInterrupt
    private let options: Options
    /// The URL with its password replaced by `***` (for errors and logs).
    public let redactedURL: String
    /// The tracks as the source announced them.
    public let stream: MediaStreamInfo

    /// Opens `url` (credentials may be in it; they never leave this object). Blocks up to
    /// `options.openTimeout` seconds or until `interrupt` is aborted.
    public init(opening url: String, options: Options = .init(), interrupt: MediaInterrupt) throws(MediaError) {
        MediaLog.install()
        self.interrupt = interrupt
        self.options = options
        self.redactedURL = CredentialRedaction.redact(url)
        guard let packet = av_packet_alloc() else {
            throw MediaError(code: -12, operation: "allocate packet", reason: "out of memory")
        }
        self.packet = packet
        var context = avformat_alloc_context()
        guard let allocated = context else {
            var doomed: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&doomed)
            throw MediaError(code: -12, operation: "open \(redactedURL)", reason: "out of memory")
        }
        CFFmpegShims_interruptAttach(allocated, interrupt.handle)
        var dictionary: OpaquePointer? = nil
        // Cameras announce their parameters in SDP; keep probing short so a connect is quick.
        av_dict_set(&dictionary, "probesize", "1000000", 0)
        av_dict_set(&dictionary, "analyzeduration", String(Int(max(options.probeSeconds, 0.1) * 1_000_000)), 0)
        interrupt.arm(seconds: options.openTimeout)
        let operation = "open \(redactedURL)"
        var source: InterleavedRTSPSource?
        do {
            if options.transport == .tcp && RTSPInterleavedSession.handles(url),
                let session = try Self.interleavedSession(url, interrupt)
            {
                source = InterleavedRTSPSource(session: session)
                try source!.open(&context, options: &dictionary, operation: operation)
            }
            if source == nil {
                if url.lowercased().hasPrefix("rtsp") {
                    av_dict_set(&dictionary, "rtsp_transport", options.transport.rawValue, 0)
                    // Socket I/O timeout (µs): a second line of defence, a bit behind the interrupt deadline
                    // (which fires first and says clearly that it was a timeout).
                    let socketTimeout = max(options.openTimeout, options.readTimeout) + 1
                    av_dict_set(&dictionary, "timeout", String(Int64(socketTimeout * 1_000_000)), 0)
                }
                try MediaError.check(avformat_open_input(&context, url, nil, &dictionary), operation)
            }
            av_dict_free(&dictionary)
            try MediaError.check(avformat_find_stream_info(context, nil), "read stream info of \(redactedURL)")
            let count = Int(context!.pointee.nb_streams)
            let streams = (0..<count).compactMap { context!.pointee.streams[$0] }
            self.stream = try MediaStreamInfo(copying: streams)
        } catch {
            av_dict_free(&dictionary)
            interrupt.arm(seconds: nil)
            avformat_close_input(&context)
            source = nil
            var doomed: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&doomed)
            throw Self.explained(error, interrupt: interrupt, timeout: options.openTimeout)
        }
        interrupt.arm(seconds: nil)
        self.context = context
        self.source = source
    }

    deinit {
        avformat_close_input(&context)
        source = nil // after the demuxer that reads through it
        var doomed: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&doomed)
    }

    /// The next packet; nil at the end of a file. Throws when the source fails or stalls for
    /// `options.readTimeout` seconds (``MediaError/isInterrupted`` then, with a timeout reason).
    public func read() throws(MediaError) -> MediaPacket? {
        guard let context else { return nil }
        interrupt.arm(seconds: options.readTimeout)
        defer { interrupt.arm(seconds: nil) }
        var result = av_read_frame(context, packet)
        // An RTP packet no stream claims (an unknown payload type) comes back as EAGAIN: read on.
        while result == CFFmpegShims_AVERROR(EAGAIN) { result = av_read_frame(context, packet) }
        defer { av_packet_unref(packet) }
        if result == CFFmpegShims_AVERROR_EOF() && source?.lastError == nil { return nil }
        do {
            try MediaError.check(result, "read \(redactedURL)")
        } catch {
            throw Self.explained(source?.takeError() ?? error, interrupt: interrupt, timeout: options.readTimeout)
        }
        return try MediaPacket(referencing: packet)
    }

    /// Our own RTSP session to `url`, set up to PLAY; nil when it leaves the camera to libavformat's
    /// client (redirects, media sharing a payload type).
    private static func interleavedSession(_ url: String, _ interrupt: MediaInterrupt) throws(MediaError)
        -> RTSPInterleavedSession?
    {
        do throws(WireClientError) {
            return try RTSPInterleavedSession(url: url, interrupt: interrupt)
        } catch  where error.kind == .unsupported {
            return nil
        } catch {
            throw MediaError(error)
        }
    }

    /// Says why a call failed when our interrupt stopped it. FFmpeg's RTSP client often turns an
    /// interruption into a generic error (e.g. "Invalid data"), so the handle is asked, not the code.
    static func explained(_ error: MediaError, interrupt: MediaInterrupt, timeout: Double) -> MediaError {
        var copy = error
        if interrupt.isAborted {
            copy.code = CFFmpegShims_AVERROR_EXIT()
            copy.reason = "interrupted (shutting down)"
        } else if interrupt.timedOut {
            copy.code = CFFmpegShims_AVERROR_EXIT()
            copy.reason = "no answer within \(timeout.formatted()) s (timed out)"
        }
        return copy
    }
}
