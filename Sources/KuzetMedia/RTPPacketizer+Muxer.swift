internal import CFFmpeg
internal import CFFmpegShims
import Foundation

extension RTPPacketizer {
    /// One `rtp` muxer for one track writing into `sink`; nil when FFmpeg has no RTP
    /// packetization for the codec (the track is then not relayed).
    static func makeMuxer(
        parameters: UnsafeMutablePointer<AVCodecParameters>, timeBase: (numerator: Int32, denominator: Int32),
        payloadType: Int, maxPacketSize: Int, sink: RTPSink
    ) throws(MediaError) -> UnsafeMutablePointer<AVFormatContext>? {
        // AAC needs its AudioSpecificConfig in the SDP; ADTS-only AAC (no extradata) cannot be
        // described, so that track is left out rather than failing the whole presentation.
        if parameters.pointee.codec_id == AV_CODEC_ID_AAC && parameters.pointee.extradata_size == 0 { return nil }
        var created: UnsafeMutablePointer<AVFormatContext>?
        try MediaError.check(avformat_alloc_output_context2(&created, nil, "rtp", nil), "create RTP muxer")
        guard let muxer = created else {
            throw MediaError(code: -12, operation: "create RTP muxer", reason: "out of memory")
        }
        guard let stream = avformat_new_stream(muxer, nil),
            avcodec_parameters_copy(stream.pointee.codecpar, parameters) >= 0
        else {
            release([muxer])
            throw MediaError(code: -12, operation: "create RTP muxer", reason: "out of memory")
        }
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = AVRational(num: timeBase.numerator, den: timeBase.denominator)
        guard attach(sink: sink, to: muxer, maxPacketSize: maxPacketSize) else {
            release([muxer])
            throw MediaError(code: -12, operation: "create RTP muxer", reason: "out of memory")
        }
        var options: OpaquePointer?
        av_dict_set(&options, "payload_type", String(payloadType), 0)
        let result = avformat_write_header(muxer, &options)
        av_dict_free(&options)
        if result < 0 {
            // The rtp muxer refuses codecs it cannot packetize (-1 / EINVAL / PATCHWELCOME).
            release([muxer])
            return nil
        }
        return muxer
    }

    /// One `rtp_mpegts` muxer carrying every video/audio track; nil when none can go in.
    /// Returns the muxer and, per source track, its stream index in the muxer.
    static func makeTransportStreamMuxer(
        stream: MediaStreamInfo, maxPacketSize: Int, sink: RTPSink
    ) throws(MediaError) -> (UnsafeMutablePointer<AVFormatContext>, [Int: Int32])? {
        var created: UnsafeMutablePointer<AVFormatContext>?
        try MediaError.check(
            avformat_alloc_output_context2(&created, nil, "rtp_mpegts", nil), "create MPEG-TS RTP muxer")
        guard let muxer = created else {
            throw MediaError(code: -12, operation: "create MPEG-TS RTP muxer", reason: "out of memory")
        }
        var mapping: [Int: Int32] = [:]
        for (sourceIndex, parameters) in stream.parameters.enumerated() where stream.tracks[sourceIndex].kind != .other
        {
            guard let output = avformat_new_stream(muxer, nil),
                avcodec_parameters_copy(output.pointee.codecpar, parameters) >= 0
            else {
                release([muxer])
                throw MediaError(code: -12, operation: "create MPEG-TS RTP muxer", reason: "out of memory")
            }
            output.pointee.codecpar.pointee.codec_tag = 0
            let timeBase = stream.tracks[sourceIndex].timeBase
            output.pointee.time_base = AVRational(num: timeBase.numerator, den: timeBase.denominator)
            mapping[sourceIndex] = output.pointee.index
        }
        guard !mapping.isEmpty, attach(sink: sink, to: muxer, maxPacketSize: maxPacketSize),
            avformat_write_header(muxer, nil) >= 0
        else {
            release([muxer])
            return nil
        }
        return (muxer, mapping)
    }

    /// Gives `muxer` an in-memory AVIO output that hands each packet to `sink`.
    static func attach(sink: RTPSink, to muxer: UnsafeMutablePointer<AVFormatContext>, maxPacketSize: Int) -> Bool {
        guard let buffer = av_malloc(maxPacketSize + 64) else { return false }
        let opaque = Unmanaged.passRetained(sink).toOpaque()
        guard
            let io = avio_alloc_context(
                buffer.assumingMemoryBound(to: UInt8.self), Int32(maxPacketSize + 64), 1, opaque, nil,
                { opaque, bytes, count in
                    guard let opaque, let bytes, count > 0 else { return 0 }
                    Unmanaged<RTPSink>.fromOpaque(opaque).takeUnretainedValue().receive(
                        UnsafeBufferPointer(start: bytes, count: Int(count)))
                    return count
                }, nil)
        else {
            Unmanaged<RTPSink>.fromOpaque(opaque).release()
            av_free(buffer)
            return false
        }
        io.pointee.max_packet_size = Int32(maxPacketSize)
        muxer.pointee.pb = io
        return true
    }

    /// The SDP of an MPEG-TS-over-RTP presentation (RFC 2250, static payload type 33).
    static func transportStreamDescription(title: String) -> String {
        [
            "v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=\(title.isEmpty ? "Kuzet" : title)", "c=IN IP4 0.0.0.0", "t=0 0",
            "a=tool:kuzet-agent",
            "m=video 0 RTP/AVP 33", "a=rtpmap:33 MP2T/90000", "a=control:streamid=0", "",
        ].joined(separator: "\r\n")
    }

    /// Frees muxers made by ``makeMuxer``: their AVIO context, its buffer and the retained sink.
    /// Muxers whose header was written are finished first (`rtp_mpegts` frees its inner
    /// muxers only in its trailer).
    static func release(_ muxers: [UnsafeMutablePointer<AVFormatContext>], started: Bool = false) {
        for muxer in muxers {
            if started { _ = av_write_trailer(muxer) }
            if let io = muxer.pointee.pb {
                if let opaque = io.pointee.opaque { Unmanaged<RTPSink>.fromOpaque(opaque).release() }
                av_freep(&io.pointee.buffer)
                var doomed: UnsafeMutablePointer<AVIOContext>? = io
                avio_context_free(&doomed)
                muxer.pointee.pb = nil
            }
            avformat_free_context(muxer)
        }
    }

    /// libavformat leaves out `c=` when it has no destination address; RFC 4566 wants one, and
    /// some players (live555/VLC) are happier with it. RTSP clients take addresses from SETUP.
    static func addingConnectionLine(_ sdp: String) -> String {
        guard !sdp.contains("\nc=") else { return sdp }
        var lines = sdp.components(separatedBy: "\r\n")
        if let session = lines.firstIndex(where: { $0.hasPrefix("s=") }) {
            lines.insert("c=IN IP4 0.0.0.0", at: session + 1)
        }
        return lines.joined(separator: "\r\n")
    }
}
