internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// One packet ready for the wire: RTP media or an RTCP sender report, for one relayed track.
public struct RTPPacket: Sendable {
    /// Index of the relayed track (the `streamid=N` of the SDP), not the source's track index.
    public var track: Int
    /// True for RTCP (sender reports), which travel on the track's second channel/port.
    public var isControl: Bool
    public var bytes: [UInt8]
}

/// Turns a camera's compressed packets into RTP, using libavformat's own `rtp` muxer (one per
/// track) with an in-memory output, so H.264/H.265/AAC/G.711 packetization is FFmpeg's, not ours.
///
/// One instance per relay client (each client has its own SSRC, sequence numbers and RTCP).
/// Not thread-safe on purpose: a client's pump thread owns it.
public final class RTPPacketizer {
    /// The session description for the relayed tracks (`a=control:streamid=N`), without any
    /// address or credential of the camera.
    public let sessionDescription: String
    /// How many tracks are relayed (tracks whose codec has no RTP packetization are left out).
    public var trackCount: Int { muxers.count }

    private var muxers: [UnsafeMutablePointer<AVFormatContext>] = []
    private var sinks: [RTPSink] = []
    /// Source track index → relayed track index.
    private var relayedTrack: [Int: Int] = [:]
    private var sourceTimeBase: [AVRational] = []
    private var timestampOffset: [Int64] = []
    private var lastDTS: [Int64?] = []
    private let scratch: UnsafeMutablePointer<AVPacket>

    /// Sets up one `rtp` muxer per supported track of `stream`.
    /// - Parameter title: the SDP session name (`s=`), e.g. the camera id.
    public init(stream: MediaStreamInfo, title: String, maxPacketSize: Int = 1400) throws(MediaError) {
        guard let scratch = av_packet_alloc() else {
            throw MediaError(code: -12, operation: "allocate packet", reason: "out of memory")
        }
        self.scratch = scratch
        for (sourceIndex, parameters) in stream.parameters.enumerated() {
            let relayed = muxers.count
            let sink = RTPSink(track: relayed)
            guard
                let muxer = try Self.makeMuxer(
                    parameters: parameters, timeBase: stream.tracks[sourceIndex].timeBase, payloadType: 96 + relayed,
                    maxPacketSize: maxPacketSize, sink: sink)
            else { continue }
            sinks.append(sink)
            muxers.append(muxer)
            relayedTrack[sourceIndex] = relayed
            sourceTimeBase.append(AVRational(num: stream.tracks[sourceIndex].timeBase.numerator, den: stream.tracks[sourceIndex].timeBase.denominator))
            timestampOffset.append(0)
            lastDTS.append(nil)
        }
        guard !muxers.isEmpty else {
            Self.release(muxers)
            av_packet_free_wrapper(scratch)
            throw MediaError(code: CFFmpegShims_AVERROR(22), operation: "relay \(title)", reason: "no track can be sent over RTP")
        }
        if let title = title.isEmpty ? nil : title { av_dict_set(&muxers[0].pointee.metadata, "title", title, 0) }
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let result = muxers.withUnsafeMutableBufferPointer { contexts in
            contexts.withMemoryRebound(to: UnsafeMutablePointer<AVFormatContext>?.self) {
                av_sdp_create($0.baseAddress, Int32($0.count), &buffer, Int32(buffer.count))
            }
        }
        if result < 0 {
            Self.release(muxers)
            av_packet_free_wrapper(scratch)
            try MediaError.check(result, "describe \(title)")
        }
        sessionDescription = Self.addingConnectionLine(String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
    }

    deinit {
        Self.release(muxers)
        av_packet_free_wrapper(scratch)
    }

    /// The RTP (and, from time to time, RTCP) packets that carry `packet`; empty for a track
    /// that is not relayed or a packet the muxer refused (logged by FFmpeg, skipped here).
    public func packetize(_ packet: MediaPacket) -> [RTPPacket] {
        guard let relayed = relayedTrack[packet.trackIndex] else { return [] }
        let muxer = muxers[relayed]
        guard av_packet_ref(scratch, packet.packet) >= 0 else { return [] }
        defer { av_packet_unref(scratch) }
        let target = muxer.pointee.streams[0]!.pointee.time_base
        let noValue = CFFmpegShims_AV_NOPTS_VALUE()
        let sourcePTS = scratch.pointee.pts != noValue ? scratch.pointee.pts : scratch.pointee.dts
        guard sourcePTS != noValue else { return [] }
        let sourceDTS = scratch.pointee.dts != noValue ? scratch.pointee.dts : sourcePTS
        var pts = av_rescale_q(sourcePTS, sourceTimeBase[relayed], target)
        var dts = av_rescale_q(sourceDTS, sourceTimeBase[relayed], target)
        // An upstream reconnect (or a camera's clock jump) must not make time run backwards for
        // this client: shift later timestamps so they continue from the last one sent.
        if let last = lastDTS[relayed], dts + timestampOffset[relayed] <= last {
            timestampOffset[relayed] = last + 1 - dts
        }
        pts += timestampOffset[relayed]
        dts += timestampOffset[relayed]
        lastDTS[relayed] = dts
        scratch.pointee.pts = max(pts, dts)
        scratch.pointee.dts = dts
        scratch.pointee.duration = av_rescale_q(scratch.pointee.duration, sourceTimeBase[relayed], target)
        scratch.pointee.stream_index = 0
        let sink = sinks[relayed]
        sink.packets.removeAll(keepingCapacity: true)
        _ = av_write_frame(muxer, scratch)
        return sink.packets
    }
}

/// Collects what one `rtp` muxer writes: the muxer flushes once per RTP/RTCP packet, and our
/// AVIO buffer is at least `max_packet_size` long, so each write callback is one whole packet.
final class RTPSink {
    let track: Int
    var packets: [RTPPacket] = []
    init(track: Int) { self.track = track }

    func receive(_ bytes: UnsafeBufferPointer<UInt8>) {
        // RTCP packet types 192…195 and 200…211 sit where RTP has marker+payload type.
        let type = bytes.count > 1 ? bytes[1] : 0
        let isControl = (192...195).contains(type) || (200...211).contains(type)
        packets.append(RTPPacket(track: track, isControl: isControl, bytes: Array(bytes)))
    }
}

func av_packet_free_wrapper(_ packet: UnsafeMutablePointer<AVPacket>) {
    var doomed: UnsafeMutablePointer<AVPacket>? = packet
    av_packet_free(&doomed)
}
