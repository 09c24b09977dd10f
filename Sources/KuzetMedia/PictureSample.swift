internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// A small grey-level picture: one byte of full-range luma (0 black … 255 white) per pixel, row
/// by row, `width × height` bytes.
public struct GreyPicture: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "GreyPicture: size and pixels disagree")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// One keyframe of a camera, decoded for the picture-health checks (issue 23): its grey levels at
/// reduced size and, from the same scaled picture, a small JPEG for the status page and police.
public struct PictureSample: Sendable {
    public var grey: GreyPicture
    /// Baseline JPEG of the same picture (`grey`'s size), at most the byte limit asked for; nil when
    /// even the coarsest quality is larger (the checks still run).
    public var jpeg: [UInt8]?
    /// The keyframe's presentation time in seconds of its track (nil when the packet had none).
    public var presentationSeconds: Double?
}

extension SnapshotEncoder {
    /// Decodes `keyframe` alone (one packet, a fresh decoder, one thread: never more than that per
    /// call) and scales it to at most `maxWidth` pixels wide (never up).
    ///
    /// Blocking and CPU-bound (a few to tens of milliseconds for 1080p H.264): run it on a worker
    /// thread, never on Swift's cooperative pool and never on a recording thread.
    public static func sample(
        from keyframe: MediaPacket, of stream: MediaStreamInfo, maxWidth: Int = 320, maxJPEGBytes: Int = 20 * 1024
    ) throws(MediaError) -> PictureSample {
        guard keyframe.trackIndex < stream.parameters.count, keyframe.trackIndex == stream.videoTrackIndex else {
            throw MediaError(
                code: CFFmpegShims_AVERROR(22), operation: "picture sample", reason: "not a packet of the video track")
        }
        let decoded = try SnapshotFrame()
        try decode(keyframe, parameters: stream.parameters[keyframe.trackIndex], into: decoded)
        let frame = decoded.frame.pointee
        guard frame.width > 1, frame.height > 1 else {
            throw MediaError(code: CFFmpegShims_AVERROR(22), operation: "picture sample", reason: "empty picture")
        }
        let width = max(min(Int(frame.width), maxWidth) & ~1, 2)
        let height = max(Int(Double(frame.height) * Double(width) / Double(frame.width)) & ~1, 2)
        let scaled = try SnapshotFrame()
        try scale(decoded, to: scaled, width: width, height: height)
        var pixels = [UInt8](repeating: 0, count: width * height)
        let stride = Int(scaled.frame.pointee.linesize.0)
        guard let plane = scaled.frame.pointee.data.0, stride >= width else {
            throw MediaError(code: -12, operation: "picture sample", reason: "scaled picture has no luma plane")
        }
        pixels.withUnsafeMutableBytes { target in
            for row in 0..<height {
                (target.baseAddress! + row * width).copyMemory(from: plane + row * stride, byteCount: width)
            }
        }
        var jpeg: [UInt8]?
        // qscale 4 is what the status snapshot uses; coarser until it fits the limit.
        for qscale in [4, 7, 12, 20, 31] {
            let bytes = try encode(scaled, qscale: qscale)
            if bytes.count <= maxJPEGBytes {
                jpeg = bytes
                break
            }
        }
        let track = stream.tracks[keyframe.trackIndex]
        let seconds = keyframe.pts.flatMap { pts -> Double? in
            guard track.timeBase.denominator > 0 else { return nil }
            return Double(pts) * Double(track.timeBase.numerator) / Double(track.timeBase.denominator)
        }
        return PictureSample(
            grey: GreyPicture(width: width, height: height, pixels: pixels), jpeg: jpeg, presentationSeconds: seconds)
    }
}
