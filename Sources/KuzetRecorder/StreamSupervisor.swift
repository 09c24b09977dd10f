import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import Logging

/// Keeps ONE upstream session to one camera stream (main or sub) alive, whatever consumes it,
/// and publishes what it reads into ``fanout``.
///
/// Runs on its own thread (libavformat blocks). Supervision is on data actually flowing: no
/// packet for `stallTimeout` seconds ⇒ reconnect. Retries forever with jittered, capped backoff,
/// including when the very first connect fails. ``stop()`` interrupts any blocking call.
///
/// On demand (``Configuration/onDemandCloseSeconds``): the thread waits, upstream closed and the
/// state `idle`, until someone holds the fan-out's ``PacketFanout/demand``; it then connects as
/// above, and closes the session once nobody has held it for that many seconds.
public final class StreamSupervisor: @unchecked Sendable {
    // @unchecked Sendable: mutable state is guarded by `lock`; the thread owns the MediaInput.
    public struct Configuration: Sendable {
        public var camera: String
        public var stream: AgentConfiguration.Camera.StreamChoice
        /// The URL with credentials (never logged; see `CredentialRedaction`).
        public var url: String
        public var transport: AgentConfiguration.Camera.Transport
        public var openTimeout: Double
        /// No packet for this long ⇒ reconnect.
        public var stallTimeout: Double
        public var backoffCap: Double
        /// nil: the upstream is held open all the time. A number: the stream is opened on demand
        /// (while someone holds ``PacketFanout/demand``) and closed this many seconds after the
        /// last hold is released.
        public var onDemandCloseSeconds: Double?

        public init(
            camera: String, stream: AgentConfiguration.Camera.StreamChoice, url: String,
            transport: AgentConfiguration.Camera.Transport = .tcp, openTimeout: Double = 5, stallTimeout: Double = 5,
            backoffCap: Double = 2, onDemandCloseSeconds: Double? = nil
        ) {
            self.camera = camera
            self.stream = stream
            self.url = url
            self.transport = transport
            self.openTimeout = openTimeout
            self.stallTimeout = stallTimeout
            self.backoffCap = min(backoffCap, 5)
            self.onDemandCloseSeconds = onDemandCloseSeconds.map { max($0, 0) }
        }
    }

    public static let supportedVideoCodecs: Set<String> = ["h264", "hevc"]

    public let configuration: Configuration
    public let fanout = PacketFanout()
    private let logger: Logger
    private let lock = MonotonicCondition()
    private var current = StreamState()
    private var meter = RateMeter()
    private var lastPacket: MonotonicInstant?
    private var stopping = false
    private let worker = WorkerThread()
    private let interrupt = MediaInterrupt()

    public init(configuration: Configuration, logger: Logger = Logger(label: "kuzet.camera")) {
        self.configuration = configuration
        if configuration.onDemandCloseSeconds != nil {
            current = StreamState(phase: .idle)
            fanout.keepLastGOP() // the client that opened the stream gets a picture without waiting for a keyframe
        }
        var logger = logger
        logger[metadataKey: "camera.id"] = .string(configuration.camera)
        logger[metadataKey: "camera.stream"] = .string(configuration.stream.rawValue)
        self.logger = logger
    }

    /// The stream's state now.
    public var state: StreamState {
        lock.withLock {
            var state = current
            state.bitrateKbps = meter.current()
            state.lastPacketAge = lastPacket.map(\.elapsedSeconds)
            return state
        }
    }

    public func start() {
        if configuration.onDemandCloseSeconds != nil {
            fanout.demand.observe { [weak self] in self?.demandChanged() }
        }
        worker.start(name: "kuzet.camera.\(configuration.camera).\(configuration.stream.rawValue)") { [self] in loop() }
    }

    /// Interrupts whatever the thread is doing, ends the fan-out (consumers finish their
    /// segments) and waits up to `timeout` seconds for the thread to return.
    public func stop(timeout: Double = 10) {
        lock.withLock {
            stopping = true
            lock.broadcast()
        }
        interrupt.abort()
        worker.join(timeout: timeout)
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func demandChanged() {
        lock.withLock { lock.broadcast() }
    }

    /// On demand only: nobody has held the stream for the close delay (or ever).
    private var demandEnded: Bool {
        guard let delay = configuration.onDemandCloseSeconds, let idle = fanout.demand.idleSeconds() else {
            return false
        }
        return idle >= delay
    }

    /// On demand only: waits, `idle`, until someone holds the stream (or the supervisor stops).
    private func waitForDemand() {
        guard configuration.onDemandCloseSeconds != nil, fanout.demand.count == 0 else { return }
        transition(to: .idle, error: nil)
        logger.debug("camera stream idle: nobody needs it, upstream closed")
        lock.withLock {
            while !stopping && fanout.demand.count == 0 { lock.wait() }
        }
        if !isStopping { logger.debug("camera stream wanted: opening the upstream") }
    }

    private func loop() {
        var backoff = Backoff(initial: .milliseconds(250), cap: .seconds(configuration.backoffCap))
        var reported: String?
        var everOnline = false
        while !isStopping {
            if demandEnded {
                waitForDemand()
                if isStopping { break }
                backoff.reset()
            }
            // A stream that went offline stays "offline since …" while it retries.
            if lock.withLock({ current.phase != .offline }) { transition(to: .connecting, error: nil) }
            do {
                try session(onOnline: {
                    backoff.reset()
                    if reported != nil || !everOnline {
                        logger.info("camera stream online")
                    }
                    reported = nil
                    everOnline = true
                })
            } catch let failure as SessionFailure {
                if isStopping { break }
                if failure.message != reported {
                    logger.warning("camera stream failed", metadata: ["error": .string(failure.message)])
                    reported = failure.message
                }
                transition(to: .offline, error: failure.message)
            } catch {}
            fanout.publishEnd()
            if isStopping { break }
            if demandEnded { continue } // closed on purpose: no backoff, no reconnect
            let delay = backoff.nextSeconds()
            lock.withLock {
                current.reconnects += 1
                let deadline = MonotonicInstant.now().adding(seconds: delay)
                while !stopping && lock.wait(until: deadline) {}
            }
        }
        fanout.publishEnd()
        transition(to: .offline, error: nil)
    }

    struct SessionFailure: Error { var message: String }

    /// One connection: open, publish, read until it fails or stalls.
    private func session(onOnline: () -> Void) throws {
        let options = MediaInput.Options(
            transport: configuration.transport == .udp ? .udp : .tcp, openTimeout: configuration.openTimeout,
            readTimeout: configuration.stallTimeout,
            // A viewer waits for an on-demand stream: probe half a second (the SDP has the parameters).
            probeSeconds: configuration.onDemandCloseSeconds == nil ? 1 : 0.5)
        let input: MediaInput
        do {
            input = try MediaInput(opening: configuration.url, options: options, interrupt: interrupt)
        } catch {
            throw SessionFailure(
                message: CameraProblem.describe(
                    error, camera: configuration.camera, stream: configuration.stream, url: configuration.url))
        }
        let info = input.stream
        guard let video = info.video, Self.supportedVideoCodecs.contains(video.codecName) else {
            throw SessionFailure(
                message: CameraProblem.unsupportedVideo(
                    info.video?.codecName, camera: configuration.camera, stream: configuration.stream))
        }
        lock.withLock {
            current.codec = video.codecName
            current.width = video.width
            current.height = video.height
            current.framesPerSecond = video.framesPerSecond
            meter.reset()
        }
        transition(to: .online, error: nil)
        fanout.publishStream(info)
        onOnline()
        while !isStopping {
            if demandEnded { return } // on demand, and nobody has needed it for the close delay
            let packet: MediaPacket?
            do {
                packet = try input.read()
            } catch {
                if isStopping { return }
                throw SessionFailure(
                    message: CameraProblem.describe(
                        error, camera: configuration.camera, stream: configuration.stream, url: configuration.url))
            }
            guard let packet else {
                throw SessionFailure(
                    message: CameraProblem.describe(
                        MediaError.endOfStream("read"), camera: configuration.camera,
                        stream: configuration.stream, url: configuration.url))
            }
            lock.withLock {
                meter.add(bytes: packet.size)
                lastPacket = .now()
            }
            fanout.publish(packet)
        }
    }

    private func transition(to phase: StreamState.Phase, error: String?) {
        lock.withLock {
            if current.phase != phase {
                current.phase = phase
                current.since = Date()
            }
            if let error { current.lastError = error } else if phase == .online { current.lastError = nil }
        }
    }
}
