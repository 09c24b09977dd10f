import Foundation
import KuzetCommitment
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetRelay
import KuzetRetention
import KuzetUplink
import Logging
import ServiceLifecycle
import UnixSignals

/// The agent process: configuration → services in dependency order in ONE ServiceGroup, shut
/// down in reverse on SIGTERM/SIGINT: the heartbeat first (its outbox is on disk), then status
/// and relay, then the media side (finishing open segments), and retention last.
public struct AgentApplication: Sendable {
    public let configuration: AgentConfiguration
    public let runtime: AgentRuntime
    public let retention: RetentionService
    /// Issue 21: the segments' commitments, signed days, challenge answers.
    public let commitments: CommitmentService
    /// Whether the wall clock can be trusted; retention deletes by age only when it is.
    public let clock: ClockTrustMonitor
    let relayStatistics: RelayStatistics?
    /// `centre.max_kbps` while running (issue 22): live pushes first, uploads in the rest.
    public let budget: UplinkBudget
    /// Picture health (issue 23): sampled from the stream the status snapshot uses.
    public let health: PictureHealthMonitor
    let logger: Logger

    public init(
        configuration: AgentConfiguration, tuning: AgentRuntime.Tuning = .init(),
        clock: ClockTrustMonitor = ClockTrustMonitor(), logger: Logger = Logger(label: "kuzet.agent")
    ) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        let retention = RetentionService(
            settings: .init(configuration: configuration), trustedTime: { clock.trust.trusted })
        self.retention = retention
        var commitmentSettings = CommitmentService.Settings(
            storageRoot: configuration.storage.root, schoolID: configuration.school.id,
            cameras: configuration.cameras.map(\.id), segmentSeconds: configuration.storage.segmentSeconds)
        commitmentSettings.retentionDays = configuration.retention.days
        commitmentSettings.clockTrusted = { clock.trust.trusted }
        let commitments = CommitmentService(
            settings: commitmentSettings, deviceKey: Self.deviceKey(configuration, logger: logger))
        self.commitments = commitments
        self.runtime = AgentRuntime(
            configuration: configuration, events: SegmentEventsFanout(listeners: [retention, commitments]),
            extraStreams: StatusWiring.relayStreams(configuration),
            tuning: tuning, clockTrusted: { clock.trust.trusted },
            logger: logger)
        self.relayStatistics = configuration.relay == nil ? nil : RelayStatistics()
        self.budget = UplinkBudget.forAgent(configuration: configuration, runtime: runtime)
        let runtime = self.runtime
        self.health = PictureHealthMonitor(
            settings: configuration.health, cameras: configuration.cameras.map(\.id),
            fanout: { StatusRuntimeSource.sampledFanout(runtime, camera: $0) })
    }

    /// The services in start order.
    public func services() throws -> [any Service] {
        var services: [any Service] = [retention, commitments, MediaService(runtime: runtime, logger: logger), health]
        var heartbeat: HeartbeatService?
        var watcher: AgentStateWatcher?
        var commands: CommandChannel?
        let events = AgentEvents()
        if let registry = configuration.registry {
            let source = AgentHeartbeatSource(
                configuration: configuration, runtime: runtime, retention: retention, relay: relayStatistics,
                events: events, budget: budget, commitments: commitments, clock: clock, health: health)
            let channel = commandChannel(registry: registry)
            commands = channel
            let service = try HeartbeatService.make(
                configuration: configuration, registry: registry, agentVersion: KuzetVersion.current,
                configFingerprint: ConfigurationFingerprint.of(configuration),
                receiptCommands: { channel.offer($0) }, provider: source, deviceKey: commitments.deviceKey,
                clockWitness: clock)
            heartbeat = service
            health.onChange { service.stateChanged() }
            watcher = AgentStateWatcher(
                runtime: runtime, events: events, changed: { service.stateChanged() },
                logger: Logger(label: "kuzet.agent"))
        }
        let uplinkService = heartbeat
        let channelForStatus = commands
        services += try StatusWiring.services(
            configuration: configuration, runtime: runtime, relayStatistics: relayStatistics, health: health,
            uplink: { [budget] in
                var uplink =
                    uplinkService.map { StatusWiring.uplinkState($0.status) } ?? .init(state: "off", outboxPending: 0)
                if let channelForStatus {
                    let achieved = budget.achieved()
                    uplink.centre = StatusReport.CentreUse(
                        maxKbps: budget.maxKbps, liveKbps: achieved.liveKbps, uploadKbps: achieved.uploadKbps,
                        liveSessions: budget.liveSessions, commands: channelForStatus.channelState)
                }
                return uplink
            },
            logger: logger)
        if let heartbeat, let watcher { services += [heartbeat, watcher] }
        let uplink = heartbeat
        services.append(
            ClockWatchService(
                monitor: clock, events: uplink == nil ? nil : events, changed: { uplink?.stateChanged() },
                logger: Logger(label: "kuzet.clock")))
        // Last to start, first to stop: a running command ends before the media side does.
        if let commands { services.append(commands) }
        return services
    }

    /// The police command channel (issue 22): ledger and command files in `registry.outbox`.
    func commandChannel(registry: AgentConfiguration.Registry) -> CommandChannel {
        let client = CommandClient(registry: registry, agentVersion: KuzetVersion.current)
        let commandLogger = Logger(label: "kuzet.commands")
        let executor = AgentCommandExecutor(
            configuration: configuration, runtime: runtime, budget: budget,
            upload: ResumableUpload(client: client, budget: budget, logger: commandLogger),
            workFolder: (registry.outbox as NSString).appendingPathComponent("command-files"), logger: commandLogger)
        return CommandChannel(
            client: client, ledger: CommandLedger(folder: registry.outbox, logger: commandLogger), executor: executor,
            logger: commandLogger)
    }

    /// The box's device key, beside the outbox (`<state folder>/device-key`, 0600), when the agent
    /// reports to a registry; made on first start.
    static func deviceKey(_ configuration: AgentConfiguration, logger: Logger) -> DeviceKey? {
        guard let registry = configuration.registry else { return nil }
        let path = ((registry.outbox as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
            "device-key")
        do {
            return try DeviceKey.loadOrCreate(path: path)
        } catch {
            logger.error("\(error) — heartbeats go unsigned and days unsigned until it is fixed")
            return nil
        }
    }

    /// Process-wide settings for carrying many camera streams (allocator arenas, see `MediaMemory`).
    /// Call once, before anything starts threads.
    public static func prepareProcess() {
        MediaMemory.configureForManyStreams()
    }

    /// Runs until SIGTERM or SIGINT.
    public func run() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: try services(), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
