import Foundation
import KuzetCommitment
import KuzetConfiguration
import KuzetCore
import KuzetProtocol
import Logging

extension HeartbeatService {
    /// The uplink as the agent configures it: outbox at `registry.outbox`, client from `registry.*`,
    /// interval `registry.interval_seconds`. Throws ``OutboxError`` when the outbox folder is unusable.
    public static func make(
        configuration agent: AgentConfiguration, registry: AgentConfiguration.Registry, agentVersion: String,
        configFingerprint: String? = nil, receiptCommands: (@Sendable ([AgentCommand]) -> Void)? = nil,
        provider: any HeartbeatSnapshotProvider, deviceKey: DeviceKey? = nil, clockWitness: ClockTrustMonitor? = nil,
        logger: Logger = Logger(label: "kuzet.uplink")
    ) throws -> HeartbeatService {
        let outbox = try Outbox(configuration: .init(directory: registry.outbox), logger: logger)
        var client = RegistryClient(registry: registry, agentVersion: agentVersion)
        if let deviceKey { client.signer = { deviceKey.sign($0) } }
        client.clockWitness = clockWitness
        var configuration = HeartbeatService.Configuration(
            schoolID: agent.school.id, school: SchoolInfo(name: agent.school.name, region: agent.school.region),
            agentVersion: agentVersion,
            interval: .seconds(registry.intervalSeconds))
        configuration.configFingerprint = configFingerprint
        configuration.receiptCommands = receiptCommands
        return HeartbeatService(
            configuration: configuration, outbox: outbox, client: client, provider: provider, logger: logger)
    }
}
