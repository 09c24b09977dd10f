import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetCurl
import KuzetTestKit
import KuzetUplink
import Logging

/// A HeartbeatService running in a task for one test; `stop()` cancels it and waits.
struct ServiceRunner {
    let service: HeartbeatService
    let outbox: Outbox
    let task: Task<Void, any Error>

    static let quickTimeouts = HTTPTimeouts(
        connect: .seconds(2), total: .seconds(2), lowSpeedBytesPerSecond: 1, lowSpeedTime: .seconds(2))

    init<C: Clock>(
        registry: AgentConfiguration.Registry, interval: Duration, logs: LogRecorder, clock: C = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }, backoffCap: Duration = .seconds(1),
        stateChangeDelay: Duration = .milliseconds(500),
        timeouts: HTTPTimeouts = ServiceRunner.quickTimeouts, outbox: Outbox? = nil
    ) throws where C.Duration == Duration {
        let logger = logs.logger(label: "kuzet.uplink")
        let outbox = try outbox ?? Outbox(configuration: .init(directory: registry.outbox), logger: logger)
        let service = HeartbeatService(
            configuration: .init(
                schoolID: Fixtures.school, agentVersion: "test", interval: interval, stateChangeDelay: stateChangeDelay,
                backoffInitial: .milliseconds(100), backoffCap: backoffCap),
            outbox: outbox, client: RegistryClient(registry: registry, timeouts: timeouts, agentVersion: "test"),
            provider: ClosureSnapshotProvider { Fixtures.snapshot }, clock: clock, now: now, logger: logger)
        self.service = service
        self.outbox = outbox
        self.task = Task { try await service.run() }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
