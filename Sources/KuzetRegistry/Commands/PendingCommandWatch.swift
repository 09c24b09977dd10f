import Foundation
import Logging
import ServiceLifecycle

/// Once a second, asks the store which schools have a command pending and wakes their long-polls:
/// how a command issued on another instance (PostgreSQL, several registries) reaches an agent
/// waiting here, and how heartbeat receipts learn which schools to carry commands for. One query
/// per instance per interval, whatever the number of waiting agents.
public struct PendingCommandWatch: Service {
    let registry: Registry
    let interval: Duration
    let logger: Logger

    public init(
        registry: Registry, interval: Duration = .seconds(1), logger: Logger = Logger(label: "kuzet.registry.commands")
    ) {
        self.registry = registry
        self.interval = interval
        self.logger = logger
    }

    /// Schools with a command pending counted at most (beyond, their polls wake on their own wait).
    static let limit = 100_000

    public func run() async throws {
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let schools = try await registry.store.schoolsWithPendingCommands(at: registry.now(), limit: Self.limit)
                registry.commandWaiters.observePending(Set(schools))
                if failing { logger.info("pending commands: the store answers again") }
                failing = false
            } catch {
                if !failing {
                    logger.warning(
                        "pending commands: cannot read them (\(String(describing: error).prefix(200))) — commands from other instances wait until the store answers"
                    )
                }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }
}
