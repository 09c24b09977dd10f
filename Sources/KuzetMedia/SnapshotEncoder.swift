internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// Makes a JPEG still from one keyframe of a camera's stream: decode that one packet with
/// libavcodec, scale it down with swscale, encode it with FFmpeg's MJPEG encoder.
///
/// Blocking and CPU-bound (tens of milliseconds): call it from a dedicated thread or a thread
/// pool, never from Swift's cooperative pool.
public enum SnapshotEncoder {
    /// - Parameters:
    ///   - keyframe: a video keyframe of `stream` (with the stream's extradata it decodes alone).
    ///   - maxWidth: the still is scaled down (never up) to at most this width.
    public static func jpeg(from keyframe: MediaPacket, of stream: MediaStreamInfo, maxWidth: Int = 640)
        throws(MediaError) -> [UInt8]
    {
        guard keyframe.trackIndex < stream.parameters.count else {
            throw MediaError(
                code: CFFmpegShims_AVERROR(22), operation: "snapshot", reason: "packet of an unknown track")
        }
        let decoded = try SnapshotFrame()
        try decode(keyframe, parameters: stream.parameters[keyframe.trackIndex], into: decoded)
        let frame = decoded.frame.pointee
        let width = min(Int(frame.width), maxWidth) & ~1
        let height = max(Int(Double(frame.height) * Double(width) / Double(frame.width)) & ~1, 2)
        let scaled = try SnapshotFrame()
        try scale(decoded, to: scaled, width: width, height: height)
        return try encode(scaled)
    }

    static func decode(
        _ keyframe: MediaPacket, parameters: UnsafeMutablePointer<AVCodecParameters>, into output: SnapshotFrame
    ) throws(MediaError) {
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw MediaError(code: CFFmpegShims_AVERROR(22), operation: "snapshot", reason: "no decoder for this codec")
        }
        var context = avcodec_alloc_context3(codec)
        defer { avcodec_free_context(&context) }
        guard let context else { throw MediaError(code: -12, operation: "snapshot", reason: "out of memory") }
        try MediaError.check(avcodec_parameters_to_context(context, parameters), "snapshot: decoder parameters")
        context.pointee.thread_count = 1
        try MediaError.check(avcodec_open2(context, codec, nil), "snapshot: open decoder")
        try MediaError.check(avcodec_send_packet(context, keyframe.packet), "snapshot: decode keyframe")
        _ = avcodec_send_packet(context, nil) // drain: the decoder may hold the frame back
        try MediaError.check(avcodec_receive_frame(context, output.frame), "snapshot: decode keyframe")
    }

    static func scale(_ input: SnapshotFrame, to output: SnapshotFrame, width: Int, height: Int) throws(MediaError) {
        let source = input.frame.pointee
        guard
            let scaler = sws_getContext(
                source.width, source.height, AVPixelFormat(source.format), Int32(width), Int32(height),
                AV_PIX_FMT_YUVJ420P,
                SWS_BICUBIC, nil, nil, nil)
        else {
            throw MediaError(
                code: CFFmpegShims_AVERROR(22), operation: "snapshot", reason: "cannot scale this picture format")
        }
        defer { sws_freeContext(scaler) }
        output.frame.pointee.width = Int32(width)
        output.frame.pointee.height = Int32(height)
        output.frame.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        try MediaError.check(av_frame_get_buffer(output.frame, 0), "snapshot: allocate picture")
        let result = withUnsafePointer(to: &input.frame.pointee.data) { sourceData in
            withUnsafePointer(to: &input.frame.pointee.linesize) { sourceStrides in
                withUnsafePointer(to: &output.frame.pointee.data) { targetData in
                    withUnsafePointer(to: &output.frame.pointee.linesize) { targetStrides in
                        sws_scale(
                            scaler,
                            UnsafeRawPointer(sourceData).assumingMemoryBound(to: UnsafePointer<UInt8>?.self),
                            UnsafeRawPointer(sourceStrides).assumingMemoryBound(to: Int32.self), 0, source.height,
                            UnsafeRawPointer(targetData).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                            UnsafeRawPointer(targetStrides).assumingMemoryBound(to: Int32.self))
                    }
                }
            }
        }
        try MediaError.check(result, "snapshot: scale picture")
    }

    /// - Parameter qscale: MJPEG quantiser, 2 (finest) … 31 (coarsest).
    static func encode(_ picture: SnapshotFrame, qscale: Int = 4) throws(MediaError) -> [UInt8] {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError(
                code: CFFmpegShims_AVERROR(22), operation: "snapshot",
                reason: "FFmpeg was built without the MJPEG encoder")
        }
        var context = avcodec_alloc_context3(codec)
        defer { avcodec_free_context(&context) }
        guard let context else { throw MediaError(code: -12, operation: "snapshot", reason: "out of memory") }
        context.pointee.width = picture.frame.pointee.width
        context.pointee.height = picture.frame.pointee.height
        context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        context.pointee.time_base = AVRational(num: 1, den: 25)
        context.pointee.flags |= AV_CODEC_FLAG_QSCALE
        context.pointee.global_quality = Int32(qscale) * 118 // qscale × FF_QP2LAMBDA: 4 is good quality, small file
        picture.frame.pointee.quality = context.pointee.global_quality
        picture.frame.pointee.pts = 0
        try MediaError.check(avcodec_open2(context, codec, nil), "snapshot: open JPEG encoder")
        try MediaError.check(avcodec_send_frame(context, picture.frame), "snapshot: encode JPEG")
        guard let packet = av_packet_alloc() else {
            throw MediaError(code: -12, operation: "snapshot", reason: "out of memory")
        }
        defer { av_packet_free_wrapper(packet) }
        try MediaError.check(avcodec_receive_packet(context, packet), "snapshot: encode JPEG")
        return Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }
}

/// Owns one AVFrame for ``SnapshotEncoder``.
final class SnapshotFrame {
    let frame: UnsafeMutablePointer<AVFrame>
    init() throws(MediaError) {
        guard let frame = av_frame_alloc() else {
            throw MediaError(code: -12, operation: "snapshot", reason: "out of memory")
        }
        self.frame = frame
    }
    deinit {
        var doomed: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&doomed)
    }
}
