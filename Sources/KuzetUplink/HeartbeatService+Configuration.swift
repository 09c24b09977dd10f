import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetProtocol
import Logging

extension HeartbeatService {
    /// The uplink as the agent configures it: outbox at `registry.outbox`, client from `registry.*`,
    /// interval `registry.interval_seconds`. Throws ``OutboxError`` when the outbox folder is unusable.
    public static func make(
        configuration agent: AgentConfiguration, registry: AgentConfiguration.Registry, agentVersion: String,
        configFingerprint: String? = nil,
        provider: any HeartbeatSnapshotProvider, clockWitness: ClockTrustMonitor? = nil,
        logger: Logger = Logger(label: "kuzet.uplink")
    ) throws -> HeartbeatService {
        let outbox = try Outbox(configuration: .init(directory: registry.outbox), logger: logger)
        var client = RegistryClient(registry: registry, agentVersion: agentVersion)
        client.clockWitness = clockWitness
        var configuration = HeartbeatService.Configuration(
            schoolID: agent.school.id, school: SchoolInfo(name: agent.school.name, region: agent.school.region),
            agentVersion: agentVersion,
            interval: .seconds(registry.intervalSeconds))
        configuration.configFingerprint = configFingerprint
        return HeartbeatService(
            configuration: configuration, outbox: outbox, client: client, provider: provider, logger: logger)
    }
}
