import Foundation
import KuzetMedia

/// Reads a media file (or any URL ``MediaInput`` opens) on its own thread and publishes it into a
/// ``PacketFanout`` in real time, a file looping at the end — a stand-in for a camera's ingest where a
/// test needs a fan-out fed by real encoded video without a camera. (A test stand-in: it lives in the
/// test kit, not in KuzetMedia.)
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
/// the start, continuing across loops (the file is opened again at its end, its timestamps moved on).
// @unchecked Sendable: created on the caller's thread, then used by the publishing thread alone.
final class RTPPacedInput: @unchecked Sendable {
    let info: MediaStreamInfo
    private let url: String
    private let interrupt = MediaInterrupt()
    private var input: MediaInput?
    private var offsets: [Int64]
    private var ends: [Int64]
    private var starts: [Int64?]

    init(url: String) throws(MediaError) {
        let input = try MediaInput(opening: url, interrupt: interrupt)
        self.url = url
        self.input = input
        info = input.stream
        offsets = Array(repeating: 0, count: info.tracks.count)
        ends = Array(repeating: 0, count: info.tracks.count)
        starts = Array(repeating: nil, count: info.tracks.count)
    }

    /// The next packet, looping at the end of the input; nil on a read error.
    func next() -> (MediaPacket, Double)? {
        var looped = false
        while let input {
            let read: MediaPacket?
            do { read = try input.read() } catch { return nil }
            guard let read else {
                guard !looped else { return nil }
                looped = true
                // The next loop starts right where this one ended (files rarely start at 0).
                offsets = zip(ends, starts).map { end, start in end - (start ?? 0) }
                self.input = nil
                self.input = try? MediaInput(opening: url, interrupt: interrupt)
                continue
            }
            let index = read.trackIndex
            guard index < offsets.count, read.dts != nil || read.pts != nil else { continue }
            guard let packet = offsets[index] == 0 ? read : try? read.shifted(by: offsets[index]) else { return nil }
            guard let time = packet.dts ?? packet.pts else { continue }
            if starts[index] == nil { starts[index] = time }
            ends[index] = max(ends[index], time + max(packet.duration, 1))
            let base = info.tracks[index].timeBase
            return (packet, Double(time) * Double(base.numerator) / Double(base.denominator))
        }
        return nil
    }
}
