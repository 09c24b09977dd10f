internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// The MP4 being written; the only owner of its output `AVFormatContext`.
/// Tracks: the first segment's video track and, when MP4 can carry its codec, its first audio track.
final class ClipWriter {
    let context: UnsafeMutablePointer<AVFormatContext>
    let path: String
    /// Output track per media type (video, audio).
    private(set) var videoIndex: Int32 = -1
    private(set) var audioIndex: Int32 = -1
    private var lastDTS: [Int32: Int64] = [:]
    private var finished = false

    init(path: String, layout: ClipInput, creationTime: Date) throws(MediaError) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        try MediaError.check(avformat_alloc_output_context2(&context, nil, "mp4", path), "create \(path)")
        guard let context else { throw MediaError(code: -12, operation: "create \(path)", reason: "out of memory") }
        self.context = context
        self.path = path
        for index in 0..<layout.streamCount {
            guard let input = layout.stream(index) else { continue }
            let parameters = input.pointee.codecpar!
            let type = parameters.pointee.codec_type
            let wanted =
                (type == AVMEDIA_TYPE_VIDEO && videoIndex < 0)
                || (type == AVMEDIA_TYPE_AUDIO && audioIndex < 0
                    && avformat_query_codec(context.pointee.oformat, parameters.pointee.codec_id, FF_COMPLIANCE_NORMAL)
                        == 1)
            guard wanted, let stream = avformat_new_stream(context, nil) else { continue }
            try MediaError.check(avcodec_parameters_copy(stream.pointee.codecpar, parameters), "copy codec parameters")
            stream.pointee.codecpar.pointee.codec_tag = 0
            stream.pointee.time_base = input.pointee.time_base
            if type == AVMEDIA_TYPE_VIDEO {
                videoIndex = stream.pointee.index
            } else {
                audioIndex = stream.pointee.index
            }
        }
        guard videoIndex >= 0 else {
            avformat_free_context(context)
            throw MediaError(code: -22, operation: "export", reason: "the first segment has no video track")
        }
        let formatter = ISO8601DateFormatter()
        av_dict_set(&context.pointee.metadata, "creation_time", formatter.string(from: creationTime), 0)
        do {
            try MediaError.check(avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE), "create \(path)")
        } catch {
            avformat_free_context(context)
            throw error
        }
        var options: OpaquePointer? = nil
        av_dict_set(&options, "movflags", "+faststart", 0)
        let written = avformat_write_header(context, &options)
        av_dict_free(&options)
        if written < 0 {
            avio_closep(&context.pointee.pb)
            avformat_free_context(context)
            try MediaError.check(written, "write the header of \(path)")
        }
    }

    deinit {
        if !finished {
            avio_closep(&context.pointee.pb)
            avformat_free_context(context)
        }
    }

    /// The output track for an input track's media type, or nil to drop its packets.
    func track(for type: AVMediaType) -> Int32? {
        switch type {
        case AVMEDIA_TYPE_VIDEO: videoIndex
        case AVMEDIA_TYPE_AUDIO: audioIndex >= 0 ? audioIndex : nil
        default: nil
        }
    }

    /// Writes a packet at wall-clock offset `offset` seconds from the clip start (its dts),
    /// keeping each track's dts strictly increasing. Takes the packet's data.
    func write(_ packet: UnsafeMutablePointer<AVPacket>, track: Int32, inputTimeBase: AVRational, offset: Double)
        throws(MediaError)
    {
        let output = context.pointee.streams[Int(track)]!.pointee.time_base
        let ptsDelta =
            packet.pointee.pts != CFFmpegShims_AV_NOPTS_VALUE() && packet.pointee.dts != CFFmpegShims_AV_NOPTS_VALUE()
            ? av_rescale_q(packet.pointee.pts - packet.pointee.dts, inputTimeBase, output) : 0
        var dts = Int64((offset / av_q2d(output)).rounded())
        if let last = lastDTS[track], dts <= last { dts = last + 1 }
        lastDTS[track] = dts
        packet.pointee.dts = dts
        packet.pointee.pts = dts + max(0, ptsDelta)
        packet.pointee.duration = av_rescale_q(packet.pointee.duration, inputTimeBase, output)
        packet.pointee.stream_index = track
        packet.pointee.pos = -1
        try MediaError.check(av_interleaved_write_frame(context, packet), "write \(path)")
    }

    func finish() throws(MediaError) {
        finished = true
        defer {
            avio_closep(&context.pointee.pb)
            avformat_free_context(context)
        }
        try MediaError.check(av_write_trailer(context), "finish \(path)")
    }
}
