import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetRelay
import KuzetUplink
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// How the relay and the status service join the agent: which upstreams the relay needs, and
/// the two services (after the media service, so they are shut down before it).
public enum StatusWiring {
    /// The process's metrics registry: swift-metrics writes into it, `/metrics` reads it.
    public static let metrics = PrometheusCollectorRegistry()

    /// Points swift-metrics at ``metrics`` (once per process; the executable calls it).
    public static func bootstrapMetrics() {
        _ = bootstrapOnce
    }

    private static let bootstrapOnce: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
    }()

    /// With a relay configured, every recorded camera's main stream and its sub stream (where one
    /// is configured) is held open, so a pull never waits for the camera. A camera with
    /// `record: false` is opened on demand instead (``AgentRuntime/demand(camera:stream:)``).
    public static func relayStreams(_ configuration: AgentConfiguration) -> Set<AgentRuntime.StreamKey> {
        guard configuration.relay != nil else { return [] }
        var keys = Set<AgentRuntime.StreamKey>()
        for camera in configuration.cameras where camera.record != nil {
            keys.insert(.init(camera: camera.id, stream: .main))
            if camera.subURL != nil { keys.insert(.init(camera: camera.id, stream: .sub)) }
        }
        return keys
    }

    /// The relay (when `relay:` is configured) and the status service.
    public static func services(
        configuration: AgentConfiguration, runtime: AgentRuntime, relayStatistics: RelayStatistics? = nil,
        health: PictureHealthMonitor? = nil,
        uplink: @escaping @Sendable () -> StatusReport.Uplink = { .init(state: "off", outboxPending: 0) },
        logger: Logger
    ) throws -> [any Service] {
        var services: [any Service] = []
        var statistics: RelayStatistics?
        if let relay = configuration.relay {
            let server = RelayServer(
                configuration: RelayServerConfiguration(relay),
                catalog: RelayCatalog { camera, stream in runtime.fanout(camera: camera, stream: stream) },
                statistics: relayStatistics ?? RelayStatistics(), logger: Logger(label: "kuzet.relay"))
            statistics = server.statistics
            services.append(server)
        }
        do {
            services.append(
                try StatusService(
                    configuration: configuration.status,
                    source: StatusRuntimeSource(runtime: runtime, relay: statistics, uplink: uplink, health: health),
                    metrics: metrics,
                    logger: Logger(label: "kuzet.status")))
        } catch {
            throw CommandFailure.usage(error.description)
        }
        return services
    }

    /// The uplink's delivery state as the status page words it.
    public static func uplinkState(_ status: UplinkStatus) -> StatusReport.Uplink {
        StatusReport.Uplink(
            state: status.problem == nil && status.queueProblem == nil ? "ok" : "failing",
            lastDeliveredAt: status.lastDelivery,
            outboxPending: status.queued)
    }
}
