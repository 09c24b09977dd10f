import Foundation
import KuzetTestKit

/// The built agent of the police-command tests: camera `cam1` at `cameraURL`, 10-s segments into
/// `root`, heartbeats to `registry` every 5 s, its configuration and outbox in `folder`; pushing to
/// `ingest` when given, within `centre.max_kbps` `maxKbps`.
func startCommandAgent(
    in folder: TemporaryDirectory, registry: RegistryProcess, root: String, ingest: RTMPIngest?, cameraURL: String,
    maxKbps: Int = 16000, name: String = "agent"
) throws -> ExternalProcess {
    let push = ingest.map { "push: \"\($0.pushURLTemplate)\", " } ?? ""
    let config = folder.file("agent.yaml")
    try """
    school: { id: \(registry.school), region: Astana }
    storage: { root: \(root), segment_seconds: 10 }
    registry:
      url: \(registry.heartbeatsURL)
      token_file: \(registry.schoolTokenFile)
      interval_seconds: 5
      outbox: \(folder.file("outbox"))
    centre: { \(push)max_kbps: \(maxKbps) }
    status: { listen: 127.0.0.1:\(freeLoopbackPort()) }
    cameras:
      - id: cam1
        url: \(cameraURL)
    """.write(toFile: config, atomically: true, encoding: .utf8)
    return try ExternalProcess(
        BuiltExecutable.agent, ["run", "--config", config, "--log-level", "debug"], name: name,
        logDirectory: folder.path)
}
