import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetRelay

/// The running agent as the status service sees it: ``AgentRuntime``'s per-camera state, the
/// relay's figures and the disk, turned into a ``StatusReport``.
public struct StatusRuntimeSource: StatusSource {
    public let runtime: AgentRuntime
    public let relay: RelayStatistics?
    public let builder: StatusReportBuilder
    let uplink: @Sendable () -> StatusReport.Uplink
    public let health: PictureHealthMonitor?

    public init(
        runtime: AgentRuntime, relay: RelayStatistics?,
        uplink: @escaping @Sendable () -> StatusReport.Uplink = { .init(state: "off", outboxPending: 0) },
        startedAt: Date = Date(), health: PictureHealthMonitor? = nil
    ) {
        self.health = health
        self.runtime = runtime
        self.relay = relay
        self.uplink = uplink
        self.builder = StatusReportBuilder(configuration: runtime.configuration, startedAt: startedAt)
    }

    public func statusReport() async -> StatusReport {
        let state = runtime.snapshot()
        var facts: [String: StatusCameraFacts] = [:]
        for camera in state.cameras {
            guard let configured = runtime.configuration.cameras.first(where: { $0.id == camera.id }) else { continue }
            facts[camera.id] = Self.facts(camera, configured: configured, now: state.takenAt)
        }
        var report = builder.report(cameras: facts, relay: relay, uplink: uplink())
        if let health { report.addHealth(from: health) }
        return report
    }

    /// The recorded stream's fan-out (else the main, else the sub stream's).
    public func snapshotFanout(camera: String) -> PacketFanout? {
        Self.sampledFanout(runtime, camera: camera)
    }

    /// The fan-out pictures of `camera` are taken from (snapshots, picture health).
    public static func sampledFanout(_ runtime: AgentRuntime, camera: String) -> PacketFanout? {
        let configured = runtime.configuration.cameras.first { $0.id == camera }
        let preferred = configured?.record ?? .main
        return runtime.fanout(camera: camera, stream: preferred) ?? runtime.fanout(camera: camera, stream: .main)
            ?? runtime.fanout(camera: camera, stream: .sub)
    }

    static func facts(_ camera: AgentState.Camera, configured: AgentConfiguration.Camera, now: Date)
        -> StatusCameraFacts
    {
        // The stream shown is the recorded one, else one that is open (an on-demand camera may be
        // watched on its sub stream only), else the main, else any.
        let recorded = configured.record.flatMap { camera.streams[$0.rawValue] }
        guard
            let stream = recorded ?? camera.streams.values.first(where: { $0.phase == .online })
                ?? camera.streams["main"] ?? camera.streams.values.first
        else {
            return StatusCameraFacts(upstream: .disabled)
        }
        let upstream: StatusCameraFacts.Upstream =
            switch stream.phase {
            case .online: .live
            case .connecting: .connecting
            case .offline: .offline
            case .idle: .idle
            }
        let video = stream.codec.map {
            StatusCameraFacts.Video(
                codec: $0, width: stream.width, height: stream.height, framesPerSecond: stream.framesPerSecond)
        }
        let recording: String =
            switch (configured.record, camera.recording) {
            case (nil, _): "off"
            case (_, let state?) where state.openSegment != nil: "recording"
            default: "waiting"
            }
        let push: String =
            switch (configured.push, camera.push) {
            case (nil, _): "off"
            case (_, let state?) where state.connected: "live"
            default: "waiting"
            }
        var error = stream.lastError
        if let recorderError = camera.recording?.lastError, recording != "recording" { error = error ?? recorderError }
        return StatusCameraFacts(
            upstream: upstream, video: video, lastPacketAt: stream.lastPacketAge.map { now.addingTimeInterval(-$0) },
            bitrateKbps: stream.bitrateKbps, recording: recording, push: push, lastError: error)
    }
}
