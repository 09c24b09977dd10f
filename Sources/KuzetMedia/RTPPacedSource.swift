internal import CFFmpeg
internal import CFFmpegShims
import Foundation

/// Reads a media file (or any libavformat URL) on its own thread and publishes it into a
/// ``PacketFanout`` in real time, a file looping at the end — a stand-in for a camera's ingest where a
/// test or a benchmark needs a fan-out fed by real encoded video without a camera.
public final class RTPPacedSource: @unchecked Sendable {
    // @unchecked Sendable: `stopped` is guarded by `lock`; the input is touched only by the thread.
    public let url: String
    public let fanout: PacketFanout
    private let lock = NSLock()
    private var stopped = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    public init(url: String, fanout: PacketFanout) {
        self.url = url
        self.fanout = fanout
    }

    /// Opens the input now (so a bad path throws here) and starts publishing.
    public func start() throws(MediaError) {
        let input = try RTPPacedInput(url: url)
        let thread = Thread { [self] in
            publish(from: input)
            done.signal()
        }
        thread.name = "kuzet.paced-source"
        lock.withLock { self.thread = thread }
        thread.start()
    }

    /// Stops publishing and waits (briefly) for the thread; the fan-out gets `.ended`.
    public func stop() {
        let running = lock.withLock { () -> Bool in
            defer { stopped = true }
            return thread != nil && !stopped
        }
        if running { _ = done.wait(timeout: .now() + 5) }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func publish(from input: RTPPacedInput) {
        fanout.publishStream(input.info)
        // A file is read as fast as the disk allows, so it is paced; a live URL paces itself.
        let isFile = !url.contains("://")
        let start = Date()
        var origin: Double?
        while !isStopped {
            guard let (packet, seconds) = input.next() else { break }
            if isFile {
                // Files rarely start at 0 (MPEG-TS starts at 1.4 s): pace from the first packet.
                if origin == nil { origin = seconds }
                let wait = seconds - (origin ?? 0) - Date().timeIntervalSince(start)
                if wait > 0 { Thread.sleep(forTimeInterval: min(wait, 1)) }
            }
            fanout.publish(packet)
        }
        fanout.publishEnd()
    }
}

/// The input side of ``RTPPacedSource``: packets with their presentation time in seconds since
/// the start, continuing across loops.
// @unchecked Sendable: created on the caller's thread, then used by the publishing thread alone.
final class RTPPacedInput: @unchecked Sendable {
    let info: MediaStreamInfo
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private let packet: UnsafeMutablePointer<AVPacket>
    private var offsets: [Int64]
    private var ends: [Int64]
    private var starts: [Int64?]

    init(url: String) throws(MediaError) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        try MediaError.check(avformat_open_input(&context, url, nil, nil), "open \(url)")
        guard let context, avformat_find_stream_info(context, nil) >= 0, let packet = av_packet_alloc() else {
            avformat_close_input(&context)
            throw MediaError(code: -1, operation: "open \(url)", reason: "cannot read stream information")
        }
        let streams = (0..<Int(context.pointee.nb_streams)).map { context.pointee.streams[$0]! }
        do {
            info = try MediaStreamInfo(copying: streams)
        } catch {
            var doomed: UnsafeMutablePointer<AVFormatContext>? = context
            avformat_close_input(&doomed)
            av_packet_free_wrapper(packet)
            throw error
        }
        self.context = context
        self.packet = packet
        offsets = Array(repeating: 0, count: streams.count)
        ends = Array(repeating: 0, count: streams.count)
        starts = Array(repeating: nil, count: streams.count)
    }

    deinit {
        avformat_close_input(&context)
        av_packet_free_wrapper(packet)
    }

    /// The next packet, looping at the end of the input; nil on a read error.
    func next() -> (MediaPacket, Double)? {
        guard let context else { return nil }
        var looped = false
        while true {
            let result = av_read_frame(context, packet)
            if result == CFFmpegShims_AVERROR_EOF() && !looped {
                looped = true
                // The next loop starts right where this one ended (files rarely start at 0).
                offsets = zip(ends, starts).map { end, start in end - (start ?? 0) }
                guard av_seek_frame(context, -1, 0, AVSEEK_FLAG_BACKWARD) >= 0 else { return nil }
                continue
            }
            guard result >= 0 else { return nil }
            defer { av_packet_unref(packet) }
            let index = Int(packet.pointee.stream_index)
            let noValue = CFFmpegShims_AV_NOPTS_VALUE()
            guard index < offsets.count, packet.pointee.dts != noValue || packet.pointee.pts != noValue else { continue }
            if packet.pointee.pts != noValue { packet.pointee.pts += offsets[index] }
            if packet.pointee.dts != noValue { packet.pointee.dts += offsets[index] }
            let time = packet.pointee.dts != noValue ? packet.pointee.dts : packet.pointee.pts
            if starts[index] == nil { starts[index] = time }
            ends[index] = max(ends[index], time + max(packet.pointee.duration, 1))
            let base = context.pointee.streams[index]!.pointee.time_base
            guard let shared = try? MediaPacket(referencing: packet) else { return nil }
            return (shared, Double(time) * av_q2d(base))
        }
    }
}
