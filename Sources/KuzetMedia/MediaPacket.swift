internal import CFFmpeg

/// One compressed packet of a camera's stream, shared by every consumer of the fan-out.
///
/// Owns its own reference to the packet's data (`av_packet_ref`): the payload buffer is
/// reference-counted inside libavcodec, so handing one packet to the recorder, the push and
/// every relay client copies no video data.
public final class MediaPacket: @unchecked Sendable {
    // @unchecked Sendable: the AVPacket is written only in init and never mutated afterwards;
    // consumers read it or take their own reference with `av_packet_ref`, which is thread-safe.
    let packet: UnsafeMutablePointer<AVPacket>

    /// Takes a new reference to `source`'s data (the caller keeps and later unrefs its own).
    init(referencing source: UnsafePointer<AVPacket>) throws(MediaError) {
        guard let packet = av_packet_alloc() else {
            throw MediaError(code: -12, operation: "allocate packet", reason: "out of memory")
        }
        let result = av_packet_ref(packet, source)
        if result < 0 {
            var doomed: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&doomed)
            try MediaError.check(result, "reference packet")
        }
        self.packet = packet
    }

    deinit {
        var doomed: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&doomed)
    }

    /// Index of the track (in the stream's ``MediaStreamInfo``) this packet belongs to.
    public var trackIndex: Int { Int(packet.pointee.stream_index) }
    public var isKeyframe: Bool { packet.pointee.flags & AV_PKT_FLAG_KEY != 0 }
    /// Presentation and decoding time in the track's time base; nil when the source gave none.
    public var pts: Int64? { packet.pointee.pts == Int64.min ? nil : packet.pointee.pts }
    public var dts: Int64? { packet.pointee.dts == Int64.min ? nil : packet.pointee.dts }
    public var duration: Int64 { packet.pointee.duration }
    public var size: Int { Int(packet.pointee.size) }

    /// A new reference to this packet's data with its timestamps moved `ticks` on (in its track's
    /// time base), e.g. for a file played again from its start after its end.
    public func shifted(by ticks: Int64) throws(MediaError) -> MediaPacket {
        let moved = try MediaPacket(referencing: packet)
        // Still ours alone: nothing else holds `moved` before it is returned.
        if moved.packet.pointee.pts != Int64.min { moved.packet.pointee.pts += ticks }
        if moved.packet.pointee.dts != Int64.min { moved.packet.pointee.dts += ticks }
        return moved
    }
}
