import Foundation
import KuzetCore
import KuzetMedia
import Logging

/// Pushes one camera stream live to the ЦОУ (`centre.push`): RTMP (FLV), RTSP publish or
/// MPEG-TS over SRT, copying packets.
///
/// A consumer of the camera's ``PacketFanout`` on its own thread behind its own bounded queue:
/// a slow or dead centre makes this queue drop (counted), never the recorder. While the centre
/// is unreachable, packets are dropped and a reconnect is tried with jittered backoff (capped),
/// always starting again at a keyframe.
public final class PushOutput: @unchecked Sendable {
    // @unchecked Sendable: `lock` guards the shared state; the thread owns the output.
    public struct Configuration: Sendable {
        public var camera: String
        /// The ingest URL (may carry credentials: never logged).
        public var url: String
        public var queueCapacity: Int
        public var openTimeout: Double
        public var writeTimeout: Double
        public var backoffCap: Double
        /// PEM authorities an `rtmps://` centre's certificate must chain to (`centre.ca_file`);
        /// nil: the system's. The certificate is verified either way.
        public var caFile: String?
        public init(
            camera: String, url: String, queueCapacity: Int = 512, openTimeout: Double = 3, writeTimeout: Double = 3,
            backoffCap: Double = 2,
            caFile: String? = nil
        ) {
            self.camera = camera
            self.url = url
            self.queueCapacity = queueCapacity
            self.openTimeout = openTimeout
            self.writeTimeout = writeTimeout
            self.backoffCap = min(backoffCap, 5)
            self.caFile = caFile
        }
    }

    public struct State: Sendable, Equatable, Codable {
        public var connected: Bool
        public var since: Date
        /// Achieved push bitrate over the last seconds (compare with `centre.max_kbps`).
        public var bitrateKbps: Double
        public var bytesSent: Int
        /// Packets not delivered to the centre (queue overflow or centre down).
        public var droppedPackets: Int
        public var reconnects: Int
        public var lastError: String?
    }

    public let configuration: Configuration
    private let fanout: PacketFanout
    private let queue: PacketQueue
    private let logger: Logger
    private let interrupt = MediaInterrupt()
    private let lock = NSCondition()
    private var shared = State(
        connected: false, since: Date(), bitrateKbps: 0, bytesSent: 0, droppedPackets: 0, reconnects: 0)
    private var meter = RateMeter()
    private let worker = WorkerThread()

    // Thread-owned.
    private var stream: MediaStreamInfo?
    private var output: MediaOutput?
    private var repair = TimestampRepair()
    private var base: Double?
    private var backoff: Backoff
    private var nextAttempt = MonotonicInstant(nanoseconds: 0)
    private var ownDrops = 0
    private var reported: String?

    public init(configuration: Configuration, fanout: PacketFanout, logger: Logger = Logger(label: "kuzet.push")) {
        self.configuration = configuration
        self.fanout = fanout
        // Small batches: at most ~0.1 s added to the centre's latency, a few wake-ups a second.
        self.queue = fanout.subscribe(
            name: "push.\(configuration.camera)", capacity: configuration.queueCapacity, wakeBatch: 8)
        self.backoff = Backoff(initial: .milliseconds(250), cap: .seconds(configuration.backoffCap))
        var logger = logger
        logger[metadataKey: "camera.id"] = .string(configuration.camera)
        self.logger = logger
    }

    public var state: State {
        lock.withLock {
            var state = shared
            state.bitrateKbps = meter.current()
            state.droppedPackets = queue.dropped + shared.droppedPackets
            return state
        }
    }

    public func start() {
        worker.start(name: "kuzet.push.\(configuration.camera)") { [self] in run() }
    }

    public func stop(timeout: Double = 5) {
        fanout.unsubscribe(queue)
        interrupt.abort()
        worker.join(timeout: timeout)
    }

    private func run() {
        while !interrupt.isAborted {
            guard let item = queue.pop(timeout: 0.1) else {
                if queue.isClosed { break }
                continue
            }
            switch item {
            case .stream(let info):
                disconnect(error: nil)
                stream = info
            case .packet(let packet):
                handle(packet)
            case .discontinuity, .ended:
                // Reopen at the next keyframe with a fresh timeline (a rare event).
                disconnect(error: nil)
            }
        }
        disconnect(error: nil)
    }

    private func handle(_ packet: MediaPacket) {
        guard let stream, packet.trackIndex < stream.tracks.count else { return }
        let track = stream.tracks[packet.trackIndex]
        let isVideo = packet.trackIndex == stream.videoTrackIndex
        if output == nil {
            guard isVideo && packet.isKeyframe && MonotonicInstant.now() >= nextAttempt else { return drop() }
            connect(stream: stream)
            guard output != nil else { return drop() }
        }
        guard let output else { return }
        let outcome = repair.repair(
            track: packet.trackIndex, dts: packet.dts, pts: packet.pts, duration: packet.duration,
            timeBase: track.timeBase)
        guard case .write(let dts, let pts) = outcome else {
            disconnect(error: nil)
            return drop()
        }
        let seconds = SegmentRecorder.seconds(dts, track.timeBase)
        if base == nil { base = seconds }
        let offset = SegmentRecorder.ticks(base ?? 0, track.timeBase)
        guard dts - offset >= 0 || isVideo else { return drop() }
        do {
            let before = output.bytesWritten
            try output.write(packet, dts: dts - offset, pts: pts - offset)
            let sent = output.bytesWritten - before
            lock.withLock {
                shared.bytesSent += sent
                meter.add(bytes: sent)
            }
        } catch {
            disconnect(
                error: "centre.push: \(error.description) — check the ЦОУ ingest is up and the URL is right; retrying")
            drop()
        }
    }

    private func connect(stream: MediaStreamInfo) {
        guard let format = MediaOutput.Format.forPush(url: configuration.url) else {
            return disconnect(
                error:
                    "centre.push: \(CredentialRedaction.redact(configuration.url)) is not \(PushProtocol.schemes()) — fix centre.push"
            )
        }
        do {
            let output = try MediaOutput(
                target: configuration.url, format: format, stream: stream, interrupt: interrupt,
                openTimeout: configuration.openTimeout, writeTimeout: configuration.writeTimeout,
                caFile: configuration.caFile)
            self.output = output
            repair.reset()
            base = nil
            backoff.reset()
            if reported != nil || !lock.withLock({ shared.connected }) {
                logger.info("pushing to the centre", metadata: ["push.url": .string(output.redactedTarget)])
            }
            reported = nil
            lock.withLock {
                shared.connected = true
                shared.since = Date()
                shared.lastError = nil
                meter.reset()
            }
        } catch {
            let hint =
                if error.reason.contains("cannot be carried") {
                    "push this camera's H.264 stream (push: sub) or use \(PushProtocol.schemes { $0.carriage != .flv })"
                } else if error.reason.contains("certificate") {
                    "put the ЦОУ's CA certificate (PEM) in centre.ca_file and check the URL's host is the name in its certificate; retrying"
                } else {
                    "check the ЦОУ ingest is up and the URL is right; retrying"
                }
            disconnect(error: "centre.push: \(CredentialRedaction.redact(error.description)) — \(hint)")
        }
    }

    private func disconnect(error: String?) {
        // A write or open cut by our own stop is not the centre failing: no warning, no lastError.
        let error = interrupt.isAborted ? nil : error
        if let output {
            self.output = nil
            try? output.finish()
        }
        if let error {
            nextAttempt = MonotonicInstant.now().adding(seconds: backoff.nextSeconds())
            if error != reported {
                logger.warning("push to the centre failed", metadata: ["error": .string(error)])
                reported = error
            }
        }
        lock.withLock {
            if shared.connected {
                shared.connected = false
                shared.since = Date()
                if error != nil { shared.reconnects += 1 }
            }
            if let error { shared.lastError = CredentialRedaction.redact(error) }
        }
    }

    private func drop() {
        lock.withLock { shared.droppedPackets += 1 }
    }
}
