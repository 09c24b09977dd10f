internal import CFFmpeg
internal import CFFmpegShims
import Foundation
import KuzetWireClients

/// The FLV muxer's output (custom I/O) cut back into tags, each published as one RTMP message.
final class FLVPublishingSink {
    private let publisher: RTMPPublisher
    private var pending: [UInt8] = []
    private var headerSkipped = false
    private var io: UnsafeMutablePointer<AVIOContext>?
    /// The last failure of the connection, in our words (libavformat only passes the code on).
    private(set) var lastError: MediaError?

    init(publisher: RTMPPublisher) {
        self.publisher = publisher
    }

    deinit {
        if let io {
            av_freep(&io.pointee.buffer)
            var doomed: UnsafeMutablePointer<AVIOContext>? = io
            avio_context_free(&doomed)
        }
    }

    /// The AVIOContext for the muxer's `pb` (owned by this sink).
    func makeIO() -> UnsafeMutablePointer<AVIOContext>? {
        let size: Int32 = 64 * 1024
        guard let buffer = av_malloc(Int(size))?.assumingMemoryBound(to: UInt8.self) else { return nil }
        io = avio_alloc_context(
            buffer, size, 1, Unmanaged.passUnretained(self).toOpaque(), nil,
            { opaque, bytes, size in
                Unmanaged<FLVPublishingSink>.fromOpaque(opaque!).takeUnretainedValue().write(bytes, count: Int(size))
            }, nil)
        if io == nil { av_free(buffer) }
        return io
    }

    func takeError() -> MediaError? {
        defer { lastError = nil }
        return lastError
    }

    /// Ends the publication (after the trailer was written).
    func close() { publisher.close() }

    private func write(_ bytes: UnsafeMutablePointer<UInt8>?, count: Int) -> Int32 {
        guard let bytes, count > 0 else { return 0 }
        do throws(WireClientError) {
            if pending.isEmpty {
                let consumed = try consume(UnsafeRawBufferPointer(start: bytes, count: count))
                pending.append(contentsOf: UnsafeRawBufferPointer(start: bytes + consumed, count: count - consumed))
            } else {
                pending.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: count))
                var failure: WireClientError?
                var consumed = 0
                pending.withUnsafeBytes { raw in
                    do throws(WireClientError) { consumed = try consume(raw) } catch { failure = error }
                }
                pending.removeFirst(consumed)
                // A keyframe larger than the I/O buffer passes through here about once a second:
                // give its memory back rather than keep ~150 KB per camera.
                if pending.isEmpty { pending = [] }
                if let failure { throw failure }
            }
            return Int32(count)
        } catch {
            let failure = MediaError(error)
            lastError = failure
            return failure.code
        }
    }

    /// Publishes every complete tag at the start of `bytes`; returns how many bytes that used.
    private func consume(_ bytes: UnsafeRawBufferPointer) throws(WireClientError) -> Int {
        var offset = 0
        if !headerSkipped {
            // "FLV", version, flags, header size (9), then the first PreviousTagSize (0).
            guard bytes.count >= 13 else { return 0 }
            offset = 13
            headerSkipped = true
        }
        while bytes.count - offset >= 11 {
            let dataSize = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard bytes.count - offset >= 11 + dataSize + 4 else { break }
            let timestamp =
                UInt32(bytes[offset + 4]) << 16 | UInt32(bytes[offset + 5]) << 8 | UInt32(bytes[offset + 6]) | UInt32(
                    bytes[offset + 7]) << 24
            try publisher.send(
                tagType: bytes[offset] & 0x1F, timestamp: timestamp,
                data: UnsafeRawBufferPointer(rebasing: bytes[(offset + 11)..<(offset + 11 + dataSize)]).bytes)
            offset += 11 + dataSize + 4
        }
        return offset
    }
}
