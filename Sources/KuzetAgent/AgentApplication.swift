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
    /// Whether the wall clock can be trusted; retention deletes by age only when it is.
    public let clock: ClockTrustMonitor
    let relayStatistics: RelayStatistics?
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
        self.runtime = AgentRuntime(
            configuration: configuration, events: retention, extraStreams: StatusWiring.relayStreams(configuration),
            tuning: tuning,
            logger: logger)
        self.relayStatistics = configuration.relay == nil ? nil : RelayStatistics()
    }

    /// The services in start order.
    public func services() throws -> [any Service] {
        var services: [any Service] = [retention, MediaService(runtime: runtime, logger: logger)]
        var heartbeat: HeartbeatService?
        var watcher: AgentStateWatcher?
        let events = AgentEvents()
        if let registry = configuration.registry {
            let source = AgentHeartbeatSource(
                configuration: configuration, runtime: runtime, retention: retention, relay: relayStatistics,
                events: events, clock: clock)
            let service = try HeartbeatService.make(
                configuration: configuration, registry: registry, agentVersion: KuzetVersion.current,
                configFingerprint: ConfigurationFingerprint.of(configuration), provider: source, clockWitness: clock)
            heartbeat = service
            watcher = AgentStateWatcher(
                runtime: runtime, events: events, changed: { service.stateChanged() },
                logger: Logger(label: "kuzet.agent"))
        }
        let uplinkService = heartbeat
        services += try StatusWiring.services(
            configuration: configuration, runtime: runtime, relayStatistics: relayStatistics,
            uplink: {
                uplinkService.map { StatusWiring.uplinkState($0.status) } ?? .init(state: "off", outboxPending: 0)
            },
            logger: logger)
        if let heartbeat, let watcher { services += [heartbeat, watcher] }
        let uplink = heartbeat
        services.append(
            ClockWatchService(
                monitor: clock, events: uplink == nil ? nil : events, changed: { uplink?.stateChanged() },
                logger: Logger(label: "kuzet.clock")))
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
