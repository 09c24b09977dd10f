internal import CFFmpeg
internal import CFFmpegShims
import Foundation
import KuzetCore
import KuzetWireClients

/// A muxer writing one camera stream, copying packets (no re-encoding): a segment file on disk
/// or a live push to the ЦОУ.
///
/// Every call blocks; use it from a dedicated thread. Not Sendable on purpose (one thread at a time).
public final class MediaOutput {
    public enum Format: Sendable, Equatable {
        /// Fragmented MP4, playable after a crash: every keyframe starts a self-contained fragment.
        case fragmentedMP4
        case mpegts
        /// RTMP (FLV in an `rtmp://` URL).
        case flv
        /// RTSP publish (ANNOUNCE/RECORD) to an `rtsp://` URL.
        case rtsp
        /// MPEG-TS over SRT (`srt://`).
        case mpegtsOverSRT

        var muxerName: String {
            switch self {
            case .fragmentedMP4: "mp4"
            case .mpegts, .mpegtsOverSRT: "mpegts"
            case .flv: "flv"
            case .rtsp: "rtsp"
            }
        }

        /// The push format for a URL's scheme (``PushProtocol``, the one list), nil when the agent cannot push there.
        public static func forPush(url: String) -> Format? {
            guard let push = PushProtocol.of(url: url) else { return nil }
            return switch push.carriage {
            case .flv: .flv
            case .rtspPublish: .rtsp
            case .mpegtsOverSRT: .mpegtsOverSRT
            }
        }
    }

    private var context: UnsafeMutablePointer<AVFormatContext>?
    private let scratch: UnsafeMutablePointer<AVPacket>
    private let interrupt: MediaInterrupt
    private let writeTimeout: Double
    /// Input track index → output stream index (tracks the container cannot hold are absent).
    private let mapping: [Int: Int32]
    private let inputTimeBases: [AVRational]
    private var finished = false
    /// Our own RTMP publisher behind the FLV muxer (see ``RTMPPublisher``), when it carries the push.
    private var sink: FLVPublishingSink?
    public let redactedTarget: String
    /// Tracks of the input left out because this container cannot hold them (e.g. G.711 in MP4).
    public let droppedTracks: [MediaStreamInfo.Track]
    /// Payload bytes handed to the muxer so far.
    public private(set) var bytesWritten: Int = 0

    /// Opens `target` (a path or URL) and writes the container header.
    ///
    /// An `rtmps://` target's certificate is always verified — against the PEM authorities in
    /// `caFile` when given, else the system's — and its name must match the URL's host.
    public init(
        target: String, format: Format, stream: MediaStreamInfo, interrupt: MediaInterrupt,
        openTimeout: Double = 10, writeTimeout: Double = 10, caFile: String? = nil
    ) throws(MediaError) {
        MediaLog.install()
        self.interrupt = interrupt
        self.writeTimeout = writeTimeout
        let redacted = CredentialRedaction.redact(target)
        self.redactedTarget = redacted
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try MediaError.check(
            avformat_alloc_output_context2(&context, nil, format.muxerName, target),
            "set up \(format.muxerName) output \(redacted)")
        guard let context, let scratch = av_packet_alloc() else {
            throw MediaError(code: -12, operation: "set up output \(redacted)", reason: "out of memory")
        }
        self.scratch = scratch
        CFFmpegShims_interruptAttach(context, interrupt.handle)
        var mapping: [Int: Int32] = [:]
        var sink: FLVPublishingSink?
        var dropped: [MediaStreamInfo.Track] = []
        var timeBases: [AVRational] = []
        do throws(MediaError) {
            for (index, track) in stream.tracks.enumerated() {
                let source = stream.parameters[index]
                timeBases.append(AVRational(num: track.timeBase.numerator, den: track.timeBase.denominator))
                guard track.kind != .other,
                    Self.accepts(context.pointee.oformat, track: track, codec: source.pointee.codec_id)
                else {
                    if track.kind == .video {
                        throw MediaError(
                            code: CFFmpegShims_AVERROR(EINVAL),
                            operation: "set up \(format.muxerName) output \(redacted)",
                            reason:
                                "\(track.codecName) video cannot be carried in \(format.muxerName) by this FFmpeg build"
                        )
                    }
                    dropped.append(track)
                    continue
                }
                guard let output = avformat_new_stream(context, nil) else {
                    throw MediaError(code: -12, operation: "set up output \(redacted)", reason: "out of memory")
                }
                try MediaError.check(avcodec_parameters_copy(output.pointee.codecpar, source), "copy codec parameters")
                output.pointee.codecpar.pointee.codec_tag = 0
                if format == .fragmentedMP4 && source.pointee.codec_id == AV_CODEC_ID_HEVC {
                    // `hvc1` (parameter sets in the sample description) is what browsers and QuickTime play.
                    output.pointee.codecpar.pointee.codec_tag = Self.fourCC("hvc1")
                }
                output.pointee.time_base = timeBases[index]
                mapping[index] = output.pointee.index
            }
            var options: OpaquePointer? = nil
            defer { av_dict_free(&options) }
            switch format {
            case .fragmentedMP4:
                // Each keyframe starts a fragment written as soon as it is complete; `empty_moov`
                // puts a playable header first, so a file cut off by a crash or a power loss
                // plays up to its last complete fragment.
                av_dict_set(&options, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0)
                // …and at least every 0.25 s: the muxer holds a fragment in memory until it is written,
                // so this bounds both what a crash can lose and each camera's buffer (a 2-s GOP
                // at 8 Mbit/s would otherwise keep 2 MB per camera).
                av_dict_set(&options, "frag_duration", "250000", 0)
                av_dict_set(&options, "flush_packets", "1", 0)
            case .rtsp:
                av_dict_set(&options, "rtsp_transport", "tcp", 0)
            case .flv:
                av_dict_set(&options, "flvflags", "no_duration_filesize", 0)
                // Every packet reaches the publisher at once (a live stream, not a file).
                av_dict_set(&options, "flush_packets", "1", 0)
            case .mpegts, .mpegtsOverSRT:
                av_dict_set(&options, "flush_packets", "1", 0)
            }
            interrupt.arm(seconds: openTimeout)
            defer { interrupt.arm(seconds: nil) }
            if format == .flv && RTMPPublisher.handles(target) {
                let publisher: RTMPPublisher
                do throws(WireClientError) {
                    publisher = try RTMPPublisher(url: target, interrupt: interrupt)
                } catch {
                    throw MediaError(error)
                }
                sink = FLVPublishingSink(publisher: publisher)
                guard let io = sink?.makeIO() else {
                    throw MediaError(code: -12, operation: "set up output \(redacted)", reason: "out of memory")
                }
                context.pointee.pb = io
            } else if context.pointee.oformat.pointee.flags & CFFmpegShims_AVFMT_NOFILE() == 0 {
                var callback = CFFmpegShims_interruptCallback(interrupt.handle)
                var ioOptions: OpaquePointer? = nil
                defer { av_dict_free(&ioOptions) }
                if format == .mpegtsOverSRT { av_dict_set(&ioOptions, "mode", "caller", 0) }
                if Self.verifiesCertificate(target) {
                    // libavformat's TLS layer (GnuTLS in Debian's FFmpeg 5.1) verifies only when
                    // asked: the chain against `ca_file` (or the system's authorities) and the host name.
                    av_dict_set(&ioOptions, "tls_verify", "1", 0)
                    if let caFile { av_dict_set(&ioOptions, "ca_file", caFile, 0) }
                }
                _ = TLSVerificationNote.take()
                let opened = avio_open2(&context.pointee.pb, target, AVIO_FLAG_WRITE, &callback, &ioOptions)
                if opened < 0, let complaint = TLSVerificationNote.take() {
                    throw MediaError(
                        code: opened, operation: "open \(redacted)",
                        reason: "TLS certificate not trusted (\(complaint))")
                }
                try MediaError.check(opened, "open \(redacted)")
            }
            try MediaError.check(avformat_write_header(context, &options), "write header to \(redacted)")
        } catch {
            Self.release(context, customIO: sink != nil)
            sink?.close()
            var doomed: UnsafeMutablePointer<AVPacket>? = scratch
            av_packet_free(&doomed)
            throw MediaInput.explained(error, interrupt: interrupt, timeout: openTimeout)
        }
        self.context = context
        self.sink = sink
        self.mapping = mapping
        self.droppedTracks = dropped
        self.inputTimeBases = timeBases
    }

    deinit {
        if let context {
            if !finished { interrupt.arm(seconds: 2) }
            Self.release(context, customIO: sink != nil)
        }
        sink?.close()
        var doomed: UnsafeMutablePointer<AVPacket>? = scratch
        av_packet_free(&doomed)
    }

    /// Whether packets of this input track go into the output.
    public func carries(track: Int) -> Bool { mapping[track] != nil }

    /// Writes `packet` with the given (already repaired) timestamps, in its track's time base.
    /// Packets of tracks this output does not carry are ignored.
    public func write(_ packet: MediaPacket, dts: Int64, pts: Int64) throws(MediaError) {
        guard let context, let outputIndex = mapping[packet.trackIndex] else { return }
        try MediaError.check(av_packet_ref(scratch, packet.packet), "reference packet")
        scratch.pointee.stream_index = outputIndex
        scratch.pointee.dts = dts
        scratch.pointee.pts = pts
        scratch.pointee.pos = -1
        let outputStream = context.pointee.streams[Int(outputIndex)]!
        av_packet_rescale_ts(scratch, inputTimeBases[packet.trackIndex], outputStream.pointee.time_base)
        bytesWritten += Int(scratch.pointee.size)
        interrupt.arm(seconds: writeTimeout)
        defer { interrupt.arm(seconds: nil) }
        // av_interleaved_write_frame takes the reference (and unrefs scratch) in every case.
        let result = av_interleaved_write_frame(context, scratch)
        do {
            try MediaError.check(result, "write to \(redactedTarget)")
        } catch {
            throw MediaInput.explained(sink?.takeError() ?? error, interrupt: interrupt, timeout: writeTimeout)
        }
    }

    /// Writes the trailer and closes the file or connection. Safe to call more than once.
    public func finish() throws(MediaError) {
        guard let context, !finished else { return }
        finished = true
        self.context = nil
        interrupt.arm(seconds: writeTimeout)
        defer { interrupt.arm(seconds: nil) }
        let result = av_write_trailer(context)
        Self.release(context, customIO: sink != nil)
        sink?.close()
        sink = nil
        try MediaError.check(result, "finish \(redactedTarget)")
    }

    /// Whether opening `target` verifies the peer's certificate (``PushProtocol/verifiesCertificate``):
    /// `rtmps://`, whose libavformat client hands our options to its TLS connection. Its RTSP client
    /// does not (FFmpeg 5.1 opens the `tls://` connection without options), so `rtsps://` is
    /// encrypted but not verified.
    public static func verifiesCertificate(_ target: String) -> Bool {
        PushProtocol.of(url: target)?.verifiesCertificate ?? false
    }

    /// Frees the muxer; a custom `pb` belongs to the sink and is freed with it.
    private static func release(_ context: UnsafeMutablePointer<AVFormatContext>, customIO: Bool) {
        if customIO {
            context.pointee.pb = nil
        } else if context.pointee.oformat.pointee.flags & CFFmpegShims_AVFMT_NOFILE() == 0 {
            avio_closep(&context.pointee.pb)
        }
        avformat_free_context(context)
    }

    /// Whether the muxer can hold this track. Muxers with a codec-tag table answer exactly;
    /// for the others (MPEG-TS, RTSP) FFmpeg does not know, so video is taken and audio only if AAC.
    static func accepts(_ format: UnsafePointer<AVOutputFormat>, track: MediaStreamInfo.Track, codec: AVCodecID) -> Bool
    {
        let answer = avformat_query_codec(format, codec, FF_COMPLIANCE_NORMAL)
        if answer >= 0 { return answer == 1 }
        return track.kind == .video || codec == AV_CODEC_ID_AAC
    }

    static func fourCC(_ text: String) -> UInt32 {
        let bytes = Array(text.utf8)
        return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }
}
