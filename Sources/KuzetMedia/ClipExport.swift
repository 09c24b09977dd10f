internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// One recorded segment to cut from, with the wall-clock time of its first packet (its name's start).
public struct ClipSource: Sendable, Equatable {
    public var path: String
    public var start: Date
    public init(path: String, start: Date) {
        self.path = path
        self.start = start
    }
}

/// What an export wrote.
public struct ClipExportResult: Sendable, Equatable {
    /// Wall-clock time of the clip's first frame: the last keyframe at or before the requested start
    /// (or the first keyframe after it, when footage begins later).
    public var clipStart: Date?
    /// Wall-clock intervals the clip holds video for (a new interval after each hole of more than 2 s).
    public var covered: [DateInterval]
    public var videoPackets: Int
}

/// What reading one segment end to end showed.
public struct SegmentReading: Sendable, Equatable {
    public var videoPackets: Int
    /// First to last video packet, plus the last packet's duration; nil with no video packet.
    public var durationSeconds: Double?
}

/// Cuts one playable MP4 out of recorded segments by remuxing (no re-encoding) with libavformat.
///
/// The clip starts on a keyframe (the last one at or before `from`, so nothing requested is
/// missing) and ends before the first video packet at or after `to`. Timestamps follow the wall
/// clock: position *t* in the clip is `clipStart + t`, also across a hole, so a clip is evidence of
/// when something happened. Blocking: call it from a dedicated thread.
public enum ClipExport {
    /// A pause between video packets longer than this ends a covered interval.
    public static let holeThreshold: Double = 2

    public static func export(sources: [ClipSource], from: Date, to: Date, output: String) throws(MediaError)
        -> ClipExportResult
    {
        // The clip's tracks come from the first segment that opens (a torn one may not).
        var layout: ClipInput?
        var lastError = MediaError(code: -22, operation: "export", reason: "no segment to export from")
        for source in sources where layout == nil {
            do { layout = try ClipInput(path: source.path) } catch { lastError = error }
        }
        guard let layout else { throw lastError }
        let writer = try ClipWriter(path: output, layout: layout, creationTime: from)
        var cutter = ClipCutter(from: from.timeIntervalSince1970, to: to.timeIntervalSince1970)
        for source in sources {
            if cutter.isDone { break }
            let input: ClipInput
            // an unreadable segment is a hole, not a failure
            do { input = try ClipInput(path: source.path) } catch { continue }
            try cutter.cut(input: input, start: source.start.timeIntervalSince1970, into: writer)
        }
        try cutter.flush(into: writer)
        try writer.finish()
        return ClipExportResult(
            clipStart: cutter.clipStart.map { Date(timeIntervalSince1970: $0) },
            covered: cutter.covered.map {
                DateInterval(
                    start: Date(timeIntervalSince1970: $0.start),
                    end: Date(timeIntervalSince1970: max($0.start, $0.end)))
            },
            videoPackets: cutter.videoPackets)
    }

    /// Reads a segment to its end (or to where a crash tore it). Blocking.
    public static func inspect(path: String) throws(MediaError) -> SegmentReading {
        let input = try ClipInput(path: path)
        let packet = av_packet_alloc()!
        defer {
            var doomed: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&doomed)
        }
        var count = 0
        var first: Double?
        var last: Double?
        while av_read_frame(input.context, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard let stream = input.stream(Int(packet.pointee.stream_index)),
                stream.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
            else { continue }
            let base = av_q2d(stream.pointee.time_base)
            let ts = packet.pointee.pts != CFFmpegShims_AV_NOPTS_VALUE() ? packet.pointee.pts : packet.pointee.dts
            guard ts != CFFmpegShims_AV_NOPTS_VALUE() else { continue }
            count += 1
            let seconds = Double(ts) * base
            first = min(first ?? seconds, seconds)
            last = max(last ?? seconds, seconds + Double(max(0, packet.pointee.duration)) * base)
        }
        return SegmentReading(videoPackets: count, durationSeconds: first.flatMap { f in last.map { $0 - f } })
    }
}
