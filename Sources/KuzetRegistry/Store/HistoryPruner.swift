import Foundation
import Logging
import ServiceLifecycle

/// Keeps heartbeat history for `days` days by arrival (`serve --history-days`): every heartbeat's
/// JSON is kept as sent (about 2.8 kB with 8 cameras), so 7,000 schools at a 30 s interval add some
/// 20 million rows a day. Deletes in short batches, so ingest is never held up for long. Schools'
/// current states are not touched. With several instances each prunes; they skip each other's rows.
public struct HistoryPruner: Service {
    public var store: any RegistryStore
    public var days: Double
    /// Between two prunings (the first is one `delay` after start).
    public var interval: Duration
    public var delay: Duration
    public var batch: Int
    var now: @Sendable () -> Date
    var logger: Logger

    public init(
        store: any RegistryStore, days: Double, interval: Duration = .seconds(3600), delay: Duration = .seconds(60),
        batch: Int = 5000,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "kuzet.registry.history")
    ) {
        self.store = store
        self.days = days
        self.interval = interval
        self.delay = delay
        self.batch = batch
        self.now = now
        self.logger = logger
    }

    /// Prunes every `interval` until cancelled or shut down; a failed pruning is logged and tried again.
    public func run() async throws {
        await BatchedPruning.repeatedly(
            delay: delay, interval: interval, logger: logger,
            failure: "history: pruning failed — it is tried again at the next interval"
        ) { _ = try await prune() }
    }

    /// Deletes every heartbeat received more than `days` days ago; returns how many.
    public func prune() async throws -> Int {
        let cutoff = now().addingTimeInterval(-days * 86_400)
        let total = try await BatchedPruning.deleteAll(batch: batch) {
            try await store.pruneHistory(receivedBefore: cutoff, limit: batch)
        }
        if total > 0 {
            logger.info(
                "history: deleted heartbeats older than the kept days",
                metadata: [
                    "registry.history.deleted": "\(total)", "registry.history.days": "\(days)",
                    "registry.history.received_before": "\(cutoff)",
                ])
        }
        return total
    }
}
