import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetSegmentStore
import Logging

/// Records one camera stream into segment files of about `segmentSeconds`, cut on keyframes,
/// named by the ``SegmentStore`` (by their UTC start) under `<root>/<camera-id>/`, and announced
/// to ``SegmentEvents`` when opened and once closed on disk.
///
/// A consumer of the camera's ``PacketFanout`` with its own bounded queue, on its own thread.
/// Fragmented MP4 by default (each keyframe starts a fragment, so a file cut short by `kill -9`
/// or a power cut plays up to its last complete GOP); MPEG-TS on request. On a timestamp
/// discontinuity (camera clock jump, reconnect, dropped packets) the segment ends and a new one
/// starts at the next keyframe; recording never stops because of timestamps or audio.
public final class SegmentRecorder: @unchecked Sendable {
    // @unchecked Sendable: the thread owns the writer state; `lock` guards what others read.
    public struct Configuration: Sendable {
        public var camera: String
        public var root: String
        public var format: SegmentFormat
        public var segmentSeconds: Double
        public var queueCapacity: Int
        public init(
            camera: String, root: String, format: SegmentFormat = .fmp4, segmentSeconds: Double,
            queueCapacity: Int = 1024
        ) {
            self.camera = camera
            self.root = root
            self.format = format
            self.segmentSeconds = segmentSeconds
            self.queueCapacity = queueCapacity
        }
    }

    /// What the recorder is doing, for status and heartbeats.
    public struct State: Sendable, Equatable, Codable {
        public var openSegment: String?
        public var segmentsWritten: Int
        public var bytesWritten: Int
        /// Packets this recorder lost because it fell behind (its queue overflowed).
        public var droppedPackets: Int
        public var lastError: String?
    }

    public let configuration: Configuration
    private let store: SegmentStore
    private let queue: PacketQueue
    private let fanout: PacketFanout
    private let events: (any SegmentEvents)?
    private let clockTrusted: @Sendable () -> Bool
    private let logger: Logger
    private let lock = NSCondition()
    private var shared = State(segmentsWritten: 0, bytesWritten: 0, droppedPackets: 0)
    private let worker = WorkerThread()

    // Thread-owned writer state.
    private var stream: MediaStreamInfo?
    private var segment: OpenSegment?
    private var repair = TimestampRepair()
    /// Wall clock ↔ media time of the current run of continuous timestamps.
    private var anchor: (wall: Date, media: Double)?
    private var warnedCodecs: Set<String> = []
    /// Wall-clock end of the last segment written (start + media duration).
    private var previousEnd: Date?

    struct OpenSegment {
        var output: MediaOutput
        var file: SegmentFile
        /// Media time (seconds) of the first video packet: subtracted so each file starts at 0.
        var startSeconds: Double
        var lastSeconds: Double
    }

    /// - Parameter clockTrusted: whether the wall clock is trusted now (``SegmentNaming``).
    public init(
        configuration: Configuration, fanout: PacketFanout, events: (any SegmentEvents)? = nil,
        clockTrusted: @escaping @Sendable () -> Bool = { true }, logger: Logger = Logger(label: "kuzet.recorder")
    ) {
        self.configuration = configuration
        self.clockTrusted = clockTrusted
        self.store = SegmentStore(root: configuration.root)
        self.fanout = fanout
        // Batches: a recorder needs no low latency, and waking per packet costs more CPU than the writing.
        self.queue = fanout.subscribe(
            name: "recorder.\(configuration.camera)", capacity: configuration.queueCapacity, wakeBatch: 16)
        self.events = events
        var logger = logger
        logger[metadataKey: "camera.id"] = .string(configuration.camera)
        self.logger = logger
    }

    public var state: State {
        lock.withLock {
            var state = shared
            state.droppedPackets = queue.dropped
            return state
        }
    }

    public func start() {
        worker.start(name: "kuzet.recorder.\(configuration.camera)") { [self] in run() }
    }

    /// Lets the recorder write what is queued, finish the open segment (trailer, fsync) and stop.
    public func stop(timeout: Double = 10) {
        fanout.unsubscribe(queue)
        worker.join(timeout: timeout)
    }

    private func run() {
        while true {
            guard let item = queue.pop(timeout: 0.1) else {
                if queue.isClosed && queue.count == 0 { break }
                continue
            }
            switch item {
            case .stream(let info):
                finishSegment()
                stream = info
                repair.reset()
                anchor = nil
            case .packet(let packet):
                handle(packet)
            case .discontinuity, .ended:
                finishSegment()
                repair.reset()
                anchor = nil
            }
        }
        finishSegment()
    }

    private func handle(_ packet: MediaPacket) {
        guard let stream, packet.trackIndex < stream.tracks.count else { return }
        let track = stream.tracks[packet.trackIndex]
        let isVideo = packet.trackIndex == stream.videoTrackIndex
        guard segment != nil || (isVideo && packet.isKeyframe) else { return }
        var outcome = repair.repair(
            track: packet.trackIndex, dts: packet.dts, pts: packet.pts, duration: packet.duration,
            timeBase: track.timeBase)
        if outcome == .discontinuity {
            logger.warning(
                "timestamp jump: starting a new segment", metadata: ["segment.path": .string(segment?.file.path ?? "-")]
            )
            finishSegment()
            repair.reset()
            anchor = nil
            guard isVideo && packet.isKeyframe else { return }
            outcome = repair.repair(
                track: packet.trackIndex, dts: packet.dts, pts: packet.pts, duration: packet.duration,
                timeBase: track.timeBase)
        }
        guard case .write(let dts, let pts) = outcome else { return }
        let seconds = Self.seconds(dts, track.timeBase)
        if isVideo && packet.isKeyframe {
            if let open = segment, seconds - open.startSeconds >= configuration.segmentSeconds - 0.02 {
                finishSegment()
            }
            if segment == nil { openSegment(stream: stream, atSeconds: seconds) }
        }
        guard var open = segment else { return }
        let offset = Self.ticks(open.startSeconds, track.timeBase)
        guard dts - offset >= 0 || isVideo else { return } // audio from before the segment's first frame
        do {
            try open.output.write(packet, dts: dts - offset, pts: pts - offset)
            open.lastSeconds = max(open.lastSeconds, seconds + Self.seconds(packet.duration, track.timeBase))
            segment = open
        } catch {
            let message =
                "storage.root: cannot write \(open.file.path) (\(error.reason)) — check the disk (space, permissions)"
            logger.error("segment write failed", metadata: ["error": .string(message)])
            lock.withLock { shared.lastError = message }
            finishSegment()
        }
    }

    private func openSegment(stream: MediaStreamInfo, atSeconds seconds: Double) {
        let now = Date()
        let derived = anchor.map { $0.wall.addingTimeInterval(seconds - $0.media) }
        let naming = SegmentNaming.decide(
            derived: derived, now: now, previousEnd: previousEnd, clockTrusted: clockTrusted())
        if naming.reanchor { anchor = (now, seconds) }
        if naming.followsCorrectedClock, let previousEnd {
            logger.notice(
                "segment names follow the corrected clock: earlier footage stays named up to \(Int(previousEnd.timeIntervalSince(now))) s ahead"
            )
        }
        let wall = naming.start
        let folder = store.folder(camera: configuration.camera)
        let file = store.newSegment(camera: configuration.camera, start: wall, format: configuration.format)
        let path = file.path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let output = try MediaOutput(
                target: path, format: Self.muxer(configuration.format), stream: stream, interrupt: MediaInterrupt())
            for dropped in output.droppedTracks where warnedCodecs.insert(dropped.codecName).inserted {
                logger.warning(
                    "audio track dropped: the container cannot hold it",
                    metadata: [
                        "codec": .string(dropped.codecName),
                        "fix": .string("set the camera's audio to AAC to record sound"),
                    ])
            }
            segment = OpenSegment(output: output, file: file, startSeconds: seconds, lastSeconds: seconds)
            lock.withLock {
                shared.openSegment = path
                shared.lastError = nil
            }
            events?.segmentOpened(file)
        } catch let error as MediaError {
            let message = "storage.root: cannot create \(path) (\(error.reason)) — check the disk (space, permissions)"
            lock.withLock { shared.lastError = message }
            logger.error("segment open failed", metadata: ["error": .string(message)])
        } catch {
            let message = "storage.root: cannot create \(folder) (\(error)) — check the path and its permissions"
            lock.withLock { shared.lastError = message }
            logger.error("segment open failed", metadata: ["error": .string(message)])
        }
    }

    private func finishSegment() {
        guard let open = segment else { return }
        segment = nil
        do {
            try open.output.finish()
        } catch {
            logger.warning(
                "segment trailer failed",
                metadata: ["segment.path": .string(open.file.path), "error": .string(error.reason)])
        }
        Self.fsync(path: open.file.path)
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: open.file.path))?[.size] as? Int) ?? 0
        let duration = open.lastSeconds - open.startSeconds
        previousEnd = open.file.start.addingTimeInterval(duration)
        lock.withLock {
            shared.openSegment = nil
            shared.segmentsWritten += 1
            shared.bytesWritten += bytes
        }
        events?.segmentClosed(open.file, bytes: Int64(bytes), duration: duration)
    }

    /// The muxer writing segments of `format`.
    static func muxer(_ format: SegmentFormat) -> MediaOutput.Format {
        switch format {
        case .fmp4: .fragmentedMP4
        case .mpegts: .mpegts
        }
    }

    /// Footage is acknowledged (segmentClosed) only once it is on disk.
    static func fsync(path: String) {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { return }
        try? handle.synchronize()
        try? handle.close()
    }

    static func seconds(_ ticks: Int64, _ timeBase: (numerator: Int32, denominator: Int32)) -> Double {
        Double(ticks) * Double(timeBase.numerator) / Double(max(timeBase.denominator, 1))
    }

    static func ticks(_ seconds: Double, _ timeBase: (numerator: Int32, denominator: Int32)) -> Int64 {
        Int64((seconds * Double(timeBase.denominator) / Double(max(timeBase.numerator, 1))).rounded())
    }
}
