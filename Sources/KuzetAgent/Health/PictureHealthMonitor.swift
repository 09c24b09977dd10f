import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetProtocol
import Logging
import Metrics
import ServiceLifecycle

/// Picture health for every camera (issue 23), on ONE worker thread shared by all cameras: every
/// `health.interval_seconds` per camera (the cameras spread over the interval) it takes the next
/// video keyframe from the camera's fan-out through a small queue of its own (a slow sample drops
/// only its own packets, never the recorder's), decodes it small (`SnapshotEncoder.sample`), and
/// hands it to the camera's ``PictureHealthJudge``. One thread means at most one decode at a time,
/// so at most one per camera; the recording path never waits for it.
///
/// Bounded: per camera one judge, the last sample (≤ 320 px grey + a JPEG ≤ 20 KB) and the
/// reference picture; at most one queue per camera, open for at most `keyframeWait` seconds.
public final class PictureHealthMonitor: Service, @unchecked Sendable {
    // @unchecked Sendable: `cameras`, `events` and the counters are guarded by `lock`; `pending`
    // is touched only by the worker thread.
    struct CameraEntry {
        var judge: PictureHealthJudge
        var latestJPEG: [UInt8]?
        var latestSize: (width: Int, height: Int)?
        var latestAt: Date?
        var referenceJPEG: [UInt8]?
        /// The reference came from (or reached) disk: its file going away means "reset".
        var referenceOnDisk = false
        /// Pictures kept so far (a thumbnail is sent only of a newer one than the last sent).
        var pictures = 0
        var thumbnailSent: (at: MonotonicInstant, pictures: Int)?
        /// Scheduling runs on the monotonic clock: a stepped wall clock neither stops sampling
        /// for the step nor samples every camera at once. `Date` only dates reports and pictures.
        var nextDue: MonotonicInstant
    }

    struct Pending {
        var queue: PacketQueue
        var fanout: PacketFanout
        var stream: MediaStreamInfo?
        var deadline: MonotonicInstant
    }

    public let settings: AgentConfiguration.Health
    public let cameraIDs: [String]
    let store: PictureReferenceStore
    let fanout: @Sendable (String) -> PacketFanout?
    private var changeHandler: (@Sendable () -> Void)?
    /// Flag/clear events not yet taken by a heartbeat (bounded: the oldest go first).
    private var events: [AgentEvent] = []
    static let maximumEvents = 256
    let logger: Logger
    /// How long a sample waits for a keyframe before it counts as `no_video`.
    public let keyframeWait: Double
    private let lock = MonotonicCondition()
    private var cameras: [String: CameraEntry] = [:]
    private var stopped = false
    private var pending: [String: Pending] = [:]
    private let worker = WorkerThread()
    private var samples = 0
    private var decodeSeconds = 0.0
    private var failedDecodes = 0
    /// `/metrics`: samples judged, and the worker's time spent on them (decode, scale, JPEG, checks).
    private let samplesCounter = Counter(label: "kuzet_health_samples_total")
    private let secondsCounter = FloatingPointCounter(label: "kuzet_health_sample_seconds_total")

    /// - Parameters:
    ///   - fanout: the fan-out a camera is sampled from (its recorded stream), nil while it has none.
    public init(
        settings: AgentConfiguration.Health, cameras: [String], fanout: @escaping @Sendable (String) -> PacketFanout?,
        now: Date = Date(),
        logger: Logger = Logger(label: "kuzet.health")
    ) {
        self.settings = settings
        self.cameraIDs = cameras
        self.store = PictureReferenceStore(directory: settings.stateDirectory)
        self.fanout = fanout
        self.logger = logger
        // Long enough for a keyframe interval of most cameras (1–4 s), short enough that an
        // audio-only camera is judged well within its sampling interval.
        self.keyframeWait = min(max(Double(settings.intervalSeconds) / 2, 2), 15)
        let interval = Double(max(settings.intervalSeconds, 1))
        let start = MonotonicInstant.now()
        for (index, camera) in cameras.enumerated() {
            var judge = PictureHealthJudge(settings: settings, startedAt: now)
            var entry = CameraEntry(
                judge: judge, nextDue: start.adding(seconds: interval * Double(index) / Double(max(cameras.count, 1))))
            if let grey = store.grey(camera: camera) {
                judge.reference = PictureMeasures(grey).layout
                entry.judge = judge
                entry.referenceJPEG = store.jpeg(camera: camera)
                entry.referenceOnDisk = true
            }
            self.cameras[camera] = entry
        }
    }

    // MARK: Service

    public func run() async throws {
        guard settings.isEnabled, !cameraIDs.isEmpty else {
            // Off: still a service that runs until shutdown (one that returns stops the agent).
            try? await gracefulShutdown()
            return
        }
        start()
        try? await gracefulShutdown()
        await BlockingWork.run("kuzet.health.stop") { self.stop() }
    }

    public func start() {
        worker.start(name: "kuzet.health") { [self] in loop() }
    }

    /// Stops the worker and waits for it (a decode in progress finishes first).
    public func stop() {
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
        worker.join(timeout: 10)
    }

    /// Called (on the worker thread) after a check flagged or cleared, e.g. to send a heartbeat soon.
    public func onChange(_ handler: @escaping @Sendable () -> Void) {
        lock.withLock { changeHandler = handler }
    }

    /// The flag/clear events since the last call, oldest first.
    public func drainEvents() -> [AgentEvent] {
        lock.withLock {
            defer { events.removeAll() }
            return events
        }
    }

    // MARK: Reading

    public func report(camera: String) -> CameraHealthReport? {
        guard settings.isEnabled else { return nil }
        return lock.withLock { cameras[camera]?.judge.report }
    }

    public func latestJPEG(camera: String) -> [UInt8]? { lock.withLock { cameras[camera]?.latestJPEG } }
    public func referenceJPEG(camera: String) -> [UInt8]? { lock.withLock { cameras[camera]?.referenceJPEG } }
    public func lastMeasures(camera: String) -> PictureMeasures? {
        lock.withLock { cameras[camera]?.judge.lastMeasures }
    }

    /// Samples judged, decode time spent, decodes that failed — since start.
    public var totals: (samples: Int, decodeSeconds: Double, failedDecodes: Int) {
        lock.withLock { (samples, decodeSeconds, failedDecodes) }
    }

    /// The thumbnails the next heartbeat carries: cameras whose last thumbnail is at least
    /// `health.thumbnail_minutes` old and that have a newer picture, longest-waiting first, at most
    /// `CameraThumbnail.maximumPerHeartbeat`; they count as sent.
    public func takeThumbnails(now: MonotonicInstant = .now()) -> [String: CameraThumbnail] {
        guard settings.isEnabled, settings.thumbnailMinutes > 0 else { return [:] }
        let period = Double(settings.thumbnailMinutes) * 60
        return lock.withLock {
            let due = cameraIDs.compactMap { id -> (String, UInt64)? in
                guard let entry = cameras[id], entry.latestAt != nil, entry.latestJPEG != nil else { return nil }
                if let sent = entry.thumbnailSent, sent.at.seconds(to: now) < period || entry.pictures == sent.pictures
                {
                    return nil
                }
                return (id, entry.thumbnailSent?.at.nanoseconds ?? 0)
            }
            let chosen = due.sorted { $0.1 < $1.1 }
                .prefix(CameraThumbnail.maximumPerHeartbeat)
            var thumbnails: [String: CameraThumbnail] = [:]
            for (id, _) in chosen {
                guard let entry = cameras[id], let jpeg = entry.latestJPEG, let size = entry.latestSize,
                    let takenAt = entry.latestAt
                else { continue }
                thumbnails[id] = CameraThumbnail(
                    takenAt: takenAt, jpegData: Data(jpeg), width: size.width, height: size.height)
                cameras[id]?.thumbnailSent = (now, entry.pictures)
            }
            return thumbnails
        }
    }

    // MARK: The worker

    private func loop() {
        while true {
            let wake: MonotonicInstant? = lock.withLock {
                if stopped { return nil }
                let now = MonotonicInstant.now()
                let next = cameras.values.map(\.nextDue).min() ?? now.adding(seconds: 1)
                let until = pending.isEmpty ? next : min(next, now.adding(seconds: 0.05))
                if until > now { _ = lock.wait(until: until) }
                return stopped ? nil : until
            }
            guard wake != nil else { break }
            startDueSamples(now: .now())
            servePending(now: .now())
        }
        for (_, sample) in pending { sample.fanout.unsubscribe(sample.queue) }
        pending.removeAll()
    }

    private func startDueSamples(now: MonotonicInstant) {
        let interval = Double(settings.intervalSeconds)
        let due: [String] = lock.withLock {
            var due: [String] = []
            for id in cameraIDs {
                guard var entry = cameras[id], entry.nextDue <= now else { continue }
                entry.nextDue = entry.nextDue.adding(seconds: interval)
                if entry.nextDue <= now { entry.nextDue = now.adding(seconds: interval) }
                cameras[id] = entry
                if pending[id] == nil { due.append(id) }
            }
            return due
        }
        for id in due {
            // An offline camera is not sampled: "offline" already says it; nothing is judged.
            guard let fanout = fanout(id), let stream = fanout.stream else { continue }
            guard stream.videoTrackIndex != nil else {
                judge(id, .noVideo, jpeg: nil, at: Date())
                continue
            }
            let queue = fanout.subscribe(name: "health sample", capacity: 64)
            pending[id] = Pending(
                queue: queue, fanout: fanout, stream: nil, deadline: now.adding(seconds: keyframeWait))
        }
    }

    private func servePending(now: MonotonicInstant) {
        for (id, var sample) in pending {
            var keyframe: MediaPacket?
            while keyframe == nil, let item = sample.queue.pop(timeout: 0) {
                switch item {
                case .stream(let info): sample.stream = info
                case .packet(let packet):
                    if let stream = sample.stream, packet.isKeyframe, packet.trackIndex == stream.videoTrackIndex {
                        keyframe = packet
                    }
                case .discontinuity, .ended: continue
                }
            }
            if let keyframe, let stream = sample.stream {
                sample.fanout.unsubscribe(sample.queue)
                pending[id] = nil
                decodeAndJudge(id, keyframe: keyframe, stream: stream)
            } else if now >= sample.deadline {
                sample.fanout.unsubscribe(sample.queue)
                pending[id] = nil
                // Still connected but no video keyframe came: audio only, or video that stopped.
                if sample.fanout.stream != nil { judge(id, .noVideo, jpeg: nil, at: Date()) }
            } else {
                pending[id] = sample
            }
        }
    }

    private func decodeAndJudge(_ id: String, keyframe: MediaPacket, stream: MediaStreamInfo) {
        let started = ContinuousClock.now
        let result = Result { () throws(MediaError) in
            try SnapshotEncoder.sample(
                from: keyframe, of: stream, maxWidth: CameraThumbnail.maximumWidth,
                maxJPEGBytes: CameraThumbnail.maximumBytes)
        }
        defer {
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            lock.withLock { decodeSeconds += seconds }
            samplesCounter.increment()
            secondsCounter.increment(by: seconds)
        }
        switch result {
        case .success(let sample):
            judge(
                id, .picture(sample.grey, presentationSeconds: sample.presentationSeconds), jpeg: sample.jpeg,
                at: Date())
        case .failure(let error):
            lock.withLock { failedDecodes += 1 }
            logger.info(
                "picture health: the keyframe did not decode (\(error)) — counts as no video",
                metadata: ["camera.id": "\(id)"])
            judge(id, .noVideo, jpeg: nil, at: Date())
        }
    }

    private func judge(_ id: String, _ observation: PictureHealthJudge.Observation, jpeg: [UInt8]?, at now: Date) {
        // A removed reference file (`health reset-reference`) means: take a new one.
        let referenceRemoved = lock.withLock { cameras[id]?.referenceOnDisk == true } && !store.exists(camera: id)
        var saveReference: (GreyPicture, [UInt8]?)?
        let outcome: (PictureHealthJudge.Change, CameraHealthReport)? = lock.withLock {
            guard var entry = cameras[id] else { return nil }
            if referenceRemoved {
                entry.judge.resetReference(at: now)
                entry.referenceJPEG = nil
                entry.referenceOnDisk = false
            }
            if case .picture(let grey, _) = observation {
                if entry.judge.reference == nil {
                    let measures = PictureMeasures(grey)
                    if entry.judge.isUsableReference(measures) {
                        entry.judge.reference = measures.layout
                        entry.referenceJPEG = jpeg
                        saveReference = (grey, jpeg)
                    }
                }
                entry.latestJPEG = jpeg ?? entry.latestJPEG
                if jpeg != nil {
                    entry.latestSize = (grey.width, grey.height)
                    entry.latestAt = now
                    entry.pictures += 1
                }
            }
            let change = entry.judge.judge(observation, at: now)
            cameras[id] = entry
            samples += 1
            return (change, entry.judge.report)
        }
        if let saveReference {
            let (grey, jpeg) = saveReference
            do {
                try store.save(camera: id, grey: grey, jpeg: jpeg)
                lock.withLock { cameras[id]?.referenceOnDisk = true }
                logger.notice("picture health: reference picture taken", metadata: ["camera.id": "\(id)"])
            } catch {
                logger.warning(
                    "health.state_dir \(store.directory): cannot keep the reference picture of \(id) (\(error)) — make the folder writable for the agent; until then the reference lasts until a restart"
                )
            }
        }
        guard let outcome else { return }
        let (change, report) = outcome
        if !change.flagged.isEmpty {
            let reasons = report.reasons.map(\.rawValue).joined(separator: ", ")
            let event = AgentEvent(
                at: now, kind: .pictureFlagged, camera: id, message: "camera \(id): picture flagged — \(reasons)")
            logger.notice("\(event.message)", metadata: ["camera.id": "\(id)", "event": "\(event.kind.rawValue)"])
            announce(event)
        } else if !change.cleared.isEmpty && report.state == .ok {
            let event = AgentEvent(
                at: now, kind: .pictureCleared, camera: id, message: "camera \(id): picture healthy again")
            logger.notice("\(event.message)", metadata: ["camera.id": "\(id)", "event": "\(event.kind.rawValue)"])
            announce(event)
        }
    }

    private func announce(_ event: AgentEvent) {
        let handler: (@Sendable () -> Void)? = lock.withLock {
            events.append(event)
            if events.count > Self.maximumEvents { events.removeFirst(events.count - Self.maximumEvents) }
            return changeHandler
        }
        handler?()
    }
}
