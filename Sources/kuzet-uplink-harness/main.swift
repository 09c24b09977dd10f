// A test-only program: the agent's uplink alone (HeartbeatService + Outbox + RegistryClient) with
// fixed camera reports, so tests can kill -9 a real process with heartbeats queued and restart it.
//
//   kuzet-uplink-harness --config FILE [--interval-ms N] [--backoff-cap-ms N]
import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetProtocol
import KuzetUplink
import Logging
import ServiceLifecycle
import UnixSignals

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel =
        ProcessInfo.processInfo.environment["KUZET_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return handler
}
let logger = Logger(label: "kuzet.uplink")

guard let path = option("--config") else {
    FileHandle.standardError.write(
        Data("usage: kuzet-uplink-harness --config FILE [--interval-ms N] [--backoff-cap-ms N]\n".utf8))
    exit(2)
}
let configuration: AgentConfiguration
do {
    configuration = try AgentConfiguration.load(path: path)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}
guard let registry = configuration.registry else {
    FileHandle.standardError.write(Data("\(path): registry: missing — add a registry: section\n".utf8))
    exit(2)
}

let cameras = configuration.cameras.map {
    CameraReport(id: $0.id, online: true, codec: "h264", width: 1920, height: 1080, fps: 25, recording: .recording)
}
let provider = ClosureSnapshotProvider {
    HeartbeatSnapshot(
        cameras: cameras, storage: StorageReport(totalBytes: 1 << 40, freeBytes: 1 << 39, recordingsBytes: 1 << 38))
}
let interval =
    option("--interval-ms").flatMap(Int.init).map { Duration.milliseconds($0) } ?? .seconds(registry.intervalSeconds)
let cap = option("--backoff-cap-ms").flatMap(Int.init).map { Duration.milliseconds($0) } ?? .seconds(300)

do {
    let outbox = try Outbox(configuration: .init(directory: registry.outbox), logger: logger)
    let service = HeartbeatService(
        configuration: .init(
            schoolID: configuration.school.id,
            school: SchoolInfo(name: configuration.school.name, region: configuration.school.region),
            agentVersion: "harness", interval: interval, backoffInitial: .milliseconds(200), backoffCap: cap),
        outbox: outbox, client: RegistryClient(registry: registry, agentVersion: "harness"), provider: provider,
        logger: logger)
    let group = ServiceGroup(
        configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    FileHandle.standardOutput.write(Data("READY next_sequence=\(outbox.nextSequence) queued=\(outbox.count)\n".utf8))
    try await group.run()
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
