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
/// Or, for clients that only understand MPEG-TS over RTP (VLC as Debian builds it: its only RTSP
/// client is the SAT>IP one), libavformat's `rtp_mpegts` muxer: all tracks in one RTP stream, PT 33.
///
/// One instance per relay client (each client has its own SSRC, sequence numbers and RTCP).
/// Not thread-safe on purpose: a client's pump thread owns it.
public final class RTPPacketizer {
    public enum Payload: Sendable {
        /// One RTP stream per track (RFC 6184 H.264, RFC 7798 H.265, RFC 3640 AAC…).
        case elementary
        /// All tracks muxed into MPEG-TS, carried as RFC 2250 MP2T (payload type 33).
        case transportStream
    }

    /// The session description for the relayed tracks (`a=control:streamid=N`), without any
    /// address or credential of the camera.
    public let sessionDescription: String
    /// How many RTP streams are relayed (`streamid=0…N-1`; tracks whose codec has no RTP
    /// packetization are left out).
    public var trackCount: Int { muxers.count }

    /// Where one source track goes.
    struct Route {
        var muxer: Int
        var stream: Int32
        var sourceTimeBase: AVRational
        var offset: Int64 = 0
        var lastDTS: Int64?
    }

    private var muxers: [UnsafeMutablePointer<AVFormatContext>] = []
    private var sinks: [RTPSink] = []
    private var routes: [Route?]
    private let scratch: UnsafeMutablePointer<AVPacket>

    /// Sets up the muxers for the supported tracks of `stream`.
    /// - Parameter title: the SDP session name (`s=`), e.g. the camera id.
    public init(stream: MediaStreamInfo, title: String, payload: Payload = .elementary, maxPacketSize: Int = 1400)
        throws(MediaError)
    {
        guard let scratch = av_packet_alloc() else {
            throw MediaError(code: -12, operation: "allocate packet", reason: "out of memory")
        }
        self.scratch = scratch
        routes = Array(repeating: nil, count: stream.parameters.count)
        let timeBases = stream.tracks.map { AVRational(num: $0.timeBase.numerator, den: $0.timeBase.denominator) }
        switch payload {
        case .elementary:
            for (sourceIndex, parameters) in stream.parameters.enumerated() {
                let sink = RTPSink(track: muxers.count)
                guard
                    let muxer = try Self.makeMuxer(
                        parameters: parameters, timeBase: stream.tracks[sourceIndex].timeBase,
                        payloadType: 96 + muxers.count,
                        maxPacketSize: maxPacketSize, sink: sink)
                else { continue }
                routes[sourceIndex] = Route(muxer: muxers.count, stream: 0, sourceTimeBase: timeBases[sourceIndex])
                sinks.append(sink)
                muxers.append(muxer)
            }
        case .transportStream:
            let sink = RTPSink(track: 0)
            if let (muxer, mapping) = try Self.makeTransportStreamMuxer(
                stream: stream, maxPacketSize: maxPacketSize, sink: sink)
            {
                for (sourceIndex, muxerStream) in mapping {
                    routes[sourceIndex] = Route(muxer: 0, stream: muxerStream, sourceTimeBase: timeBases[sourceIndex])
                }
                sinks.append(sink)
                muxers.append(muxer)
            }
        }
        guard !muxers.isEmpty else {
            av_packet_free_wrapper(scratch)
            throw MediaError(
                code: CFFmpegShims_AVERROR(22), operation: "relay \(title)", reason: "no track can be sent over RTP")
        }
        if payload == .transportStream {
            sessionDescription = Self.transportStreamDescription(title: title)
            return
        }
        if !title.isEmpty { av_dict_set(&muxers[0].pointee.metadata, "title", title, 0) }
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let result = muxers.withUnsafeMutableBufferPointer { contexts in
            contexts.withMemoryRebound(to: UnsafeMutablePointer<AVFormatContext>?.self) {
                av_sdp_create($0.baseAddress, Int32($0.count), &buffer, Int32(buffer.count))
            }
        }
        if result < 0 {
            Self.release(muxers, started: true)
            av_packet_free_wrapper(scratch)
            try MediaError.check(result, "describe \(title)")
        }
        sessionDescription = Self.addingConnectionLine(
            String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
    }

    deinit {
        Self.release(muxers, started: true)
        av_packet_free_wrapper(scratch)
    }

    /// The RTP (and, from time to time, RTCP) packets that carry `packet`; empty for a track
    /// that is not relayed or a packet the muxer refused (logged by FFmpeg, skipped here).
    public func packetize(_ packet: MediaPacket) -> [RTPPacket] {
        guard packet.trackIndex < routes.count, var route = routes[packet.trackIndex] else { return [] }
        let muxer = muxers[route.muxer]
        guard av_packet_ref(scratch, packet.packet) >= 0 else { return [] }
        defer { av_packet_unref(scratch) }
        let target = muxer.pointee.streams[Int(route.stream)]!.pointee.time_base
        let noValue = CFFmpegShims_AV_NOPTS_VALUE()
        let sourcePTS = scratch.pointee.pts != noValue ? scratch.pointee.pts : scratch.pointee.dts
        guard sourcePTS != noValue else { return [] }
        let sourceDTS = scratch.pointee.dts != noValue ? scratch.pointee.dts : sourcePTS
        var pts = av_rescale_q(sourcePTS, route.sourceTimeBase, target)
        var dts = av_rescale_q(sourceDTS, route.sourceTimeBase, target)
        // An upstream reconnect (or a camera's clock jump) must not make time run backwards for
        // this client: shift later timestamps so they continue from the last one sent.
        if let last = route.lastDTS, dts + route.offset <= last {
            route.offset = last + 1 - dts
        }
        pts += route.offset
        dts += route.offset
        route.lastDTS = dts
        routes[packet.trackIndex] = route
        scratch.pointee.pts = max(pts, dts)
        scratch.pointee.dts = dts
        scratch.pointee.duration = av_rescale_q(scratch.pointee.duration, route.sourceTimeBase, target)
        scratch.pointee.stream_index = route.stream
        let sink = sinks[route.muxer]
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
