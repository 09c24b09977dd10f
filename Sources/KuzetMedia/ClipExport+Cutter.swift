internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// Decides which packets of the segments go into the clip, and at which wall-clock time.
///
/// A packet's wall-clock time is its segment's start plus its distance from the segment's first
/// packet. Until the clip has started, packets from the latest keyframe on are held back; the
/// first video packet at or after `from` releases them, so the clip opens on that keyframe.
struct ClipCutter {
    let from: Double
    let to: Double
    private(set) var clipStart: Double?
    private(set) var covered: [(start: Double, end: Double)] = []
    private(set) var videoPackets = 0
    private(set) var isDone = false
    /// Held back before the start: packet (owned), output track, input time base, wall time.
    private var pending: [(UnsafeMutablePointer<AVPacket>, Int32, AVRational, Double)] = []
    private var pendingStart: Double?

    init(from: Double, to: Double) {
        self.from = from
        self.to = to
    }

    mutating func cut(input: ClipInput, start: Double, into writer: ClipWriter) throws(MediaError) {
        let packet = av_packet_alloc()!
        defer {
            var doomed: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&doomed)
        }
        var base: Double?
        while !isDone, av_read_frame(input.context, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard let stream = input.stream(Int(packet.pointee.stream_index)),
                let track = writer.track(for: stream.pointee.codecpar.pointee.codec_type)
            else { continue }
            let ts = packet.pointee.dts != CFFmpegShims_AV_NOPTS_VALUE() ? packet.pointee.dts : packet.pointee.pts
            guard ts != CFFmpegShims_AV_NOPTS_VALUE() else { continue }
            let timeBase = stream.pointee.time_base
            let seconds = Double(ts) * av_q2d(timeBase)
            if base == nil { base = seconds }
            let wall = start + (seconds - base!)
            let isVideo = track == writer.videoIndex
            let isKey = packet.pointee.flags & AV_PKT_FLAG_KEY != 0
            if wall >= to {
                if isVideo { isDone = true }
                continue
            }
            guard let clipStart else {
                if isVideo && isKey {
                    dropPending()
                    pendingStart = wall
                }
                guard pendingStart != nil else { continue }
                pending.append((av_packet_clone(packet)!, track, timeBase, wall))
                if isVideo && wall >= from { try flush(into: writer) }
                continue
            }
            if isVideo { noteVideo(at: wall, duration: Double(max(0, packet.pointee.duration)) * av_q2d(timeBase)) }
            try writer.write(packet, track: track, inputTimeBase: timeBase, offset: wall - clipStart)
        }
    }

    /// Starts the clip with what is held back (at the end: footage that ends before `from` yields nothing).
    mutating func flush(into writer: ClipWriter) throws(MediaError) {
        guard clipStart == nil, let start = pendingStart,
            pending.contains(where: { $0.3 >= from && $0.1 == writer.videoIndex })
        else {
            dropPending()
            return
        }
        clipStart = start
        defer { dropPending() }
        for (packet, track, timeBase, wall) in pending {
            if track == writer.videoIndex {
                noteVideo(at: wall, duration: Double(max(0, packet.pointee.duration)) * av_q2d(timeBase))
            }
            try writer.write(packet, track: track, inputTimeBase: timeBase, offset: wall - start)
        }
    }

    private mutating func noteVideo(at wall: Double, duration: Double) {
        videoPackets += 1
        if let last = covered.last, wall - last.end <= ClipExport.holeThreshold {
            covered[covered.count - 1].end = max(last.end, wall + duration)
        } else {
            covered.append((wall, wall + duration))
        }
    }

    private mutating func dropPending() {
        for (packet, _, _, _) in pending {
            var doomed: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&doomed)
        }
        pending.removeAll()
        pendingStart = nil
    }
}
