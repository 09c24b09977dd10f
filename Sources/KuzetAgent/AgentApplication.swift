import KuzetCore
import KuzetMedia
import Logging
import ServiceLifecycle
import UnixSignals

/// The agent process: configuration → services in dependency order in ONE ServiceGroup,
/// shut down in reverse on SIGTERM/SIGINT. Later features (status API, heartbeat, relay,
/// retention) are added to `services` after the media service they depend on.
public struct AgentApplication: Sendable {
    public let configuration: AgentConfiguration
    public let runtime: AgentRuntime
    let logger: Logger

    public init(configuration: AgentConfiguration, tuning: AgentRuntime.Tuning = .init(), logger: Logger = Logger(label: "kuzet.agent")) {
        self.configuration = configuration
        self.runtime = AgentRuntime(configuration: configuration, tuning: tuning, logger: logger)
        self.logger = logger
    }

    /// Process-wide settings for carrying many camera streams (allocator arenas, see `MediaMemory`).
    /// Call once, before anything starts threads.
    public static func prepareProcess() {
        MediaMemory.configureForManyStreams()
    }

    /// Runs until SIGTERM or SIGINT.
    public func run() async throws {
        let services: [any Service] = [MediaService(runtime: runtime, logger: logger)]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
