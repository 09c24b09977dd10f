internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// A muxer's output written to a file through our own `AVIOContext` (what libavformat's `file:`
/// protocol does: `open(2)` with mode 0666 less the umask, `write(2)`, `lseek(2)`), so that a
/// ``MediaFileObserver`` sees every byte that reaches the file and where.
final class MediaFileSink {
    private let descriptor: Int32
    private let observer: any MediaFileObserver
    /// Where the next write lands (the muxer may seek).
    private var position: Int64 = 0
    private var io: UnsafeMutablePointer<AVIOContext>?

    /// Creates (or truncates) `path`.
    init(path: String, observer: any MediaFileObserver) throws(MediaError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            let code = errno
            throw MediaError(
                code: CFFmpegShims_AVERROR(code), operation: "open \(path)",
                reason: String(cString: strerror(code)))
        }
        self.descriptor = descriptor
        self.observer = observer
    }

    deinit {
        if let io {
            av_freep(&io.pointee.buffer)
            var doomed: UnsafeMutablePointer<AVIOContext>? = io
            avio_context_free(&doomed)
        }
        close(descriptor)
    }

    /// The AVIOContext for the muxer's `pb` (owned by this sink; seekable, like a file).
    func makeIO() -> UnsafeMutablePointer<AVIOContext>? {
        // The file protocol's buffer size: the muxer cuts its writes as it would for `avio_open`.
        let size: Int32 = 32 * 1024
        guard let buffer = av_malloc(Int(size))?.assumingMemoryBound(to: UInt8.self) else { return nil }
        io = avio_alloc_context(
            buffer, size, 1, Unmanaged.passUnretained(self).toOpaque(), nil,
            { opaque, bytes, size in
                Unmanaged<MediaFileSink>.fromOpaque(opaque!).takeUnretainedValue().write(bytes, count: Int(size))
            },
            { opaque, offset, whence in
                Unmanaged<MediaFileSink>.fromOpaque(opaque!).takeUnretainedValue().seek(offset, whence: whence)
            })
        if io == nil { av_free(buffer) }
        return io
    }

    private func write(_ bytes: UnsafeMutablePointer<UInt8>?, count: Int) -> Int32 {
        guard let bytes, count > 0 else { return 0 }
        var done = 0
        while done < count {
            let written = Glibc.write(descriptor, bytes + done, count - done)
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                report(bytes, count: done)
                return CFFmpegShims_AVERROR(code)
            }
            done += written
        }
        report(bytes, count: done)
        return Int32(done)
    }

    /// Tells the observer what reached the file (also the part of a write that failed midway).
    private func report(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) {
        guard count > 0 else { return }
        observer.wrote(UnsafeRawBufferPointer(start: bytes, count: count), at: position)
        position += Int64(count)
    }

    private func seek(_ offset: Int64, whence: Int32) -> Int64 {
        let whence = whence & ~Int32(AVSEEK_FORCE)
        if whence == AVSEEK_SIZE {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { return Int64(CFFmpegShims_AVERROR(errno)) }
            return Int64(status.st_size)
        }
        let moved = lseek(descriptor, off_t(offset), whence)
        guard moved >= 0 else { return Int64(CFFmpegShims_AVERROR(errno)) }
        position = Int64(moved)
        return position
    }
}
