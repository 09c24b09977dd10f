import KuzetConfiguration
import KuzetCore
import KuzetRecorder

extension UplinkBudget {
    /// The agent's budget: `centre.max_kbps` (8000 without a `centre:` section), the key
    /// cameras' permanent pushes counted at their pushed streams' measured rates.
    static func forAgent(configuration: AgentConfiguration, runtime: AgentRuntime) -> UplinkBudget {
        let pushed: [(camera: String, stream: StreamChoice)] =
            configuration.centre?.push == nil
            ? [] : configuration.cameras.compactMap { camera in camera.push.map { (camera.id, $0) } }
        return UplinkBudget(
            maxKbps: configuration.centre?.maxKbps ?? AgentConfiguration.Centre().maxKbps,
            permanentKbps: {
                guard !pushed.isEmpty else { return 0 }
                let cameras = runtime.snapshot().cameras
                return pushed.reduce(0) { total, key in
                    let camera = cameras.first { $0.id == key.camera }
                    let stream = camera?.streams[key.stream.rawValue]?.bitrateKbps ?? 0
                    return total + max(stream, camera?.push?.bitrateKbps ?? 0)
                }
            })
    }
}
