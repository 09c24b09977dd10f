import Foundation
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
    let relayStatistics: RelayStatistics?
    /// Picture health (issue 23): sampled from the stream the status snapshot uses.
    public let health: PictureHealthMonitor
    let logger: Logger

    public init(
        configuration: AgentConfiguration, tuning: AgentRuntime.Tuning = .init(),
        logger: Logger = Logger(label: "kuzet.agent")
    ) {
        self.configuration = configuration
        self.logger = logger
        let retention = RetentionService(settings: .init(configuration: configuration))
        self.retention = retention
        self.runtime = AgentRuntime(
            configuration: configuration, events: retention, extraStreams: StatusWiring.relayStreams(configuration),
            tuning: tuning,
            logger: logger)
        self.relayStatistics = configuration.relay == nil ? nil : RelayStatistics()
        let runtime = self.runtime
        self.health = PictureHealthMonitor(
            settings: configuration.health, cameras: configuration.cameras.map(\.id),
            fanout: { StatusRuntimeSource.sampledFanout(runtime, camera: $0) })
    }

    /// The services in start order.
    public func services() throws -> [any Service] {
        var services: [any Service] = [retention, MediaService(runtime: runtime, logger: logger), health]
        var heartbeat: HeartbeatService?
        var watcher: AgentStateWatcher?
        if let registry = configuration.registry {
            let events = AgentEvents()
            let source = AgentHeartbeatSource(
                configuration: configuration, runtime: runtime, retention: retention, relay: relayStatistics,
                events: events, health: health)
            let service = try HeartbeatService.make(
                configuration: configuration, registry: registry, agentVersion: KuzetVersion.current,
                configFingerprint: ConfigurationFingerprint.of(configuration), provider: source)
            heartbeat = service
            health.onChange { service.stateChanged() }
            watcher = AgentStateWatcher(
                runtime: runtime, events: events, changed: { service.stateChanged() },
                logger: Logger(label: "kuzet.agent"))
        }
        let uplinkService = heartbeat
        services += try StatusWiring.services(
            configuration: configuration, runtime: runtime, relayStatistics: relayStatistics, health: health,
            uplink: {
                uplinkService.map { StatusWiring.uplinkState($0.status) } ?? .init(state: "off", outboxPending: 0)
            },
            logger: logger)
        if let heartbeat, let watcher { services += [heartbeat, watcher] }
        return services
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
