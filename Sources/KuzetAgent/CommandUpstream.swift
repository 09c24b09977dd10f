import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetRecorder
import Logging

/// The camera stream a command reads: the upstream the agent already holds (recorder, push,
/// relay), or one opened for the command alone and closed when it ends.
struct CommandUpstream: Sendable {
    let fanout: PacketFanout
    /// Set when this command opened the stream itself.
    let own: StreamSupervisor?
    private let runtime: AgentRuntime
    private let key: AgentRuntime.StreamKey

    static func open(
        camera: AgentConfiguration.Camera, stream: StreamChoice, runtime: AgentRuntime, tuning: AgentRuntime.Tuning
    ) -> CommandUpstream? {
        let key = AgentRuntime.StreamKey(camera: camera.id, stream: stream)
        if let fanout = runtime.fanout(camera: camera.id, stream: stream) {
            return CommandUpstream(fanout: fanout, own: nil, runtime: runtime, key: key)
        }
        guard let url = camera.authenticatedURL(of: stream) else { return nil }
        let supervisor = StreamSupervisor(
            configuration: .init(
                camera: camera.id, stream: stream, url: url, transport: camera.transport,
                openTimeout: tuning.openTimeout, stallTimeout: tuning.stallTimeout, backoffCap: tuning.backoffCap),
            logger: Logger(label: "kuzet.camera"))
        return CommandUpstream(fanout: supervisor.fanout, own: supervisor, runtime: runtime, key: key)
    }

    /// The stream's measured rate now, kbit/s (0 until a couple of seconds of it were read).
    var bitrateKbps: Double {
        if let own { return own.state.bitrateKbps }
        return runtime.snapshot().cameras.first { $0.id == key.camera }?.streams[key.stream.rawValue]?.bitrateKbps ?? 0
    }

    /// Starts the stream if the command opened it (after its consumer subscribed).
    func start() { own?.start() }

    /// Closes the stream if the command opened it. Blocking (joins its thread).
    func close() { own?.stop() }
}
