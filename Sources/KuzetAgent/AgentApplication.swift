import Foundation
import KuzetCore
import KuzetRecorder
import KuzetRelay
import KuzetRetention
import KuzetUplink
import Logging
import ServiceLifecycle
import UnixSignals

extension RetentionService: SegmentEvents {}

/// The agent process: configuration → services in dependency order in ONE ServiceGroup,
/// shut down in reverse on SIGTERM/SIGINT: the uplink first (its outbox is on disk), then the
/// relay, then the media side (finishing open segments), and retention last.
public struct AgentApplication: Sendable {
    public let configuration: AgentConfiguration
    public let runtime: AgentRuntime
    public let retention: RetentionService
    public let relayStatistics: RelayStatistics?
    let logger: Logger

    public init(configuration: AgentConfiguration, tuning: AgentRuntime.Tuning = .init(), logger: Logger = Logger(label: "kuzet.agent")) {
        self.configuration = configuration
        self.logger = logger
        let retention = RetentionService(settings: .init(configuration: configuration))
        self.retention = retention
        // The relay serves every camera's main stream (and any stream already open for recording or push).
        let relayStreams: Set<AgentRuntime.StreamKey> =
            configuration.relay == nil ? [] : Set(configuration.cameras.map { .init(camera: $0.id, stream: .main) })
        self.runtime = AgentRuntime(configuration: configuration, events: retention, extraStreams: relayStreams, tuning: tuning, logger: logger)
        self.relayStatistics = configuration.relay == nil ? nil : RelayStatistics()
    }

    /// The services in start order. Exposed for tests that run the agent in-process.
    public func services() throws -> [any Service] {
        var services: [any Service] = [retention, MediaService(runtime: runtime, logger: logger)]
        if let relay = configuration.relay, let relayStatistics {
            let runtime = self.runtime
            services.append(
                RelayServer(
                    configuration: .init(relay), catalog: RelayCatalog(fanout: { runtime.fanout(camera: $0, stream: $1) }),
                    statistics: relayStatistics))
        }
        if let registry = configuration.registry {
            let events = AgentEvents()
            let source = AgentHeartbeatSource(
                configuration: configuration, runtime: runtime, retention: retention, relay: relayStatistics, events: events)
            let heartbeat = try HeartbeatService.make(
                configuration: configuration, registry: registry, agentVersion: KuzetVersion.current, provider: source)
            services.append(heartbeat)
            services.append(
                AgentStateWatcher(runtime: runtime, events: events, changed: { heartbeat.stateChanged() }, logger: Logger(label: "kuzet.agent")))
        }
        return services
    }

    /// Runs until SIGTERM or SIGINT.
    public func run() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: try services(), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
