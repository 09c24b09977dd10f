internal import CFFmpeg

/// What a camera stream carries: its tracks' codecs and parameters, as read from the source.
///
/// Owns copies of the tracks' `AVCodecParameters`, so muxers (recorder, push, relay) can be
/// set up from it long after the input that produced it is gone.
public final class MediaStreamInfo: @unchecked Sendable {
    // @unchecked Sendable: the parameters are copied in init and never mutated afterwards.
    let parameters: [UnsafeMutablePointer<AVCodecParameters>]
    public let tracks: [Track]

    public struct Track: Sendable, Equatable {
        public enum Kind: String, Sendable { case video, audio, other }
        public var kind: Kind
        /// FFmpeg's codec name: `h264`, `hevc`, `aac`, `pcm_mulaw`…
        public var codecName: String
        public var width: Int?
        public var height: Int?
        /// Frames per second as the source announces it (may be nil for RTSP sources).
        public var framesPerSecond: Double?
        /// The time base of the track's timestamps, as numerator/denominator.
        public var timeBase: (numerator: Int32, denominator: Int32)

        public static func == (lhs: Track, rhs: Track) -> Bool {
            lhs.kind == rhs.kind && lhs.codecName == rhs.codecName && lhs.width == rhs.width && lhs.height == rhs.height
                && lhs.timeBase == rhs.timeBase
        }
    }

    /// Copies the parameters of every stream of an opened input.
    init(copying streams: [UnsafeMutablePointer<AVStream>]) throws(MediaError) {
        var parameters: [UnsafeMutablePointer<AVCodecParameters>] = []
        var tracks: [Track] = []
        for stream in streams {
            guard let copy = avcodec_parameters_alloc() else {
                Self.free(parameters)
                throw MediaError(code: -12, operation: "copy codec parameters", reason: "out of memory")
            }
            parameters.append(copy)
            let result = avcodec_parameters_copy(copy, stream.pointee.codecpar)
            if result < 0 {
                Self.free(parameters)
                try MediaError.check(result, "copy codec parameters")
            }
            tracks.append(Self.describe(copy.pointee, stream: stream.pointee))
        }
        self.parameters = parameters
        self.tracks = tracks
    }

    deinit { Self.free(parameters) }

    /// The first video track, if any.
    public var video: Track? { tracks.first { $0.kind == .video } }
    public var videoTrackIndex: Int? { tracks.firstIndex { $0.kind == .video } }

    static func describe(_ parameters: AVCodecParameters, stream: AVStream) -> Track {
        let kind: Track.Kind =
            switch parameters.codec_type {
            case AVMEDIA_TYPE_VIDEO: .video
            case AVMEDIA_TYPE_AUDIO: .audio
            default: .other
            }
        let name = avcodec_get_name(parameters.codec_id).map { String(cString: $0) } ?? "unknown"
        let rate =
            stream.avg_frame_rate.den > 0 && stream.avg_frame_rate.num > 0 ? stream.avg_frame_rate : stream.r_frame_rate
        let fps = rate.den > 0 && rate.num > 0 ? Double(rate.num) / Double(rate.den) : nil
        return Track(
            kind: kind, codecName: name,
            width: kind == .video && parameters.width > 0 ? Int(parameters.width) : nil,
            height: kind == .video && parameters.height > 0 ? Int(parameters.height) : nil,
            framesPerSecond: kind == .video ? fps : nil,
            timeBase: (stream.time_base.num, stream.time_base.den)
        )
    }

    static func free(_ parameters: [UnsafeMutablePointer<AVCodecParameters>]) {
        for parameter in parameters {
            var doomed: UnsafeMutablePointer<AVCodecParameters>? = parameter
            avcodec_parameters_free(&doomed)
        }
    }
}
