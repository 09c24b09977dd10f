internal import CFFmpeg
internal import CFFmpegShims
import Foundation
import KuzetWireClients

/// Feeds an ``RTSPInterleavedSession`` to libavformat's `sdp` demuxer through custom I/O
/// (`sdp_flags=custom_io`): the demuxer reads the SDP once, then one RTP/RTCP packet per read.
final class InterleavedRTSPSource {
    let session: RTSPInterleavedSession
    private let sdp: [UInt8]
    private var sdpOffset = 0
    private var rtpIO: UnsafeMutablePointer<AVIOContext>?
    /// The last failure of the connection, in our words (libavformat only passes the code on).
    private(set) var lastError: MediaError?

    init(session: RTSPInterleavedSession) {
        self.session = session
        self.sdp = Array(session.sessionDescription.utf8)
    }

    deinit {
        if let rtpIO {
            av_freep(&rtpIO.pointee.buffer)
            var doomed: UnsafeMutablePointer<AVIOContext>? = rtpIO
            avio_context_free(&doomed)
        }
    }

    /// Opens `context` (allocated by the caller, interrupt attached) as the `sdp` demuxer on this
    /// session. On failure libavformat has freed the context.
    func open(_ context: inout UnsafeMutablePointer<AVFormatContext>?, options: inout OpaquePointer?, operation: String)
        throws(MediaError)
    {
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        guard let sdpBuffer = av_malloc(4096)?.assumingMemoryBound(to: UInt8.self),
            let sdpIO = avio_alloc_context(
                sdpBuffer, 4096, 0, opaque,
                { opaque, buffer, size in
                    InterleavedRTSPSource.from(opaque).readSessionDescription(into: buffer, size: size)
                }, nil, nil)
        else {
            avformat_free_context(context)
            context = nil
            throw MediaError(code: -12, operation: operation, reason: "out of memory")
        }
        defer {
            av_freep(&sdpIO.pointee.buffer)
            var doomed: UnsafeMutablePointer<AVIOContext>? = sdpIO
            avio_context_free(&doomed)
        }
        // write_flag = 1: each avio_read_partial then calls our read directly (one packet per call);
        // the receiver reports libavformat writes into it are dropped (none are sent over TCP either).
        guard let rtpBuffer = av_malloc(4096)?.assumingMemoryBound(to: UInt8.self),
            let rtpIO = avio_alloc_context(
                rtpBuffer, 4096, 1, opaque,
                { opaque, buffer, size in
                    InterleavedRTSPSource.from(opaque).readPacket(into: buffer, size: size)
                }, { _, _, size in size }, nil)
        else {
            avformat_free_context(context)
            context = nil
            throw MediaError(code: -12, operation: operation, reason: "out of memory")
        }
        self.rtpIO = rtpIO
        context!.pointee.pb = sdpIO
        av_dict_set(&options, "sdp_flags", "custom_io", 0)
        av_dict_set(&options, "reorder_queue_size", "0", 0)
        let opened = avformat_open_input(&context, "", av_find_input_format("sdp"), &options)
        try MediaError.check(opened, operation)
        context!.pointee.pb = rtpIO
    }

    /// Takes the last connection failure (nil when libavformat failed for its own reasons).
    func takeError() -> MediaError? {
        defer { lastError = nil }
        return lastError
    }

    private static func from(_ opaque: UnsafeMutableRawPointer?) -> InterleavedRTSPSource {
        Unmanaged<InterleavedRTSPSource>.fromOpaque(opaque!).takeUnretainedValue()
    }

    private func readSessionDescription(into buffer: UnsafeMutablePointer<UInt8>?, size: Int32) -> Int32 {
        guard let buffer, sdpOffset < sdp.count else { return CFFmpegShims_AVERROR_EOF() }
        let count = min(Int(size), sdp.count - sdpOffset)
        sdp.withUnsafeBufferPointer { bytes in buffer.update(from: bytes.baseAddress! + sdpOffset, count: count) }
        sdpOffset += count
        return Int32(count)
    }

    private func readPacket(into buffer: UnsafeMutablePointer<UInt8>?, size: Int32) -> Int32 {
        guard let buffer, size > 0 else { return CFFmpegShims_AVERROR(EINVAL) }
        let raw = UnsafeMutableRawBufferPointer(start: buffer, count: Int(size))
        var destination = raw.mutableBytes
        do {
            return Int32(try session.readPacket(into: &destination))
        } catch {
            let failure = MediaError(error)
            lastError = failure
            return failure.code
        }
    }
}
