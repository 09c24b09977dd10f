import Foundation
import Logging
import ServiceLifecycle

/// Prunes what ``RecordKeeping`` keeps for a while (day roots, challenges, commands, the audit
/// log) every `interval` inside `serve`, the one place that does. Each delete is a batch of at most
/// `batch` rows in a transaction of its own, so a big first pruning never holds the database long
/// and a pruning killed half-way leaves whole batches done and the rest for the next one. Several
/// instances may prune at once: on PostgreSQL each skips the rows another is deleting (`SKIP
/// LOCKED`), and a row deleted twice is deleted once; SQLite runs one writer at a time.
public struct RecordPruner: Service {
    public var store: any RegistryStore
    public var keeping: RecordKeeping
    /// Between two prunings (the first is `min(interval, 60 s)` after start).
    public var interval: Duration
    public var batch: Int
    var now: @Sendable () -> Date
    var logger: Logger

    public init(
        store: any RegistryStore, keeping: RecordKeeping, interval: Duration = .seconds(3600), batch: Int = 5000,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "kuzet.registry.pruning")
    ) {
        self.store = store
        self.keeping = keeping
        self.interval = interval
        self.batch = batch
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        await BatchedPruning.repeatedly(
            delay: min(interval, .seconds(60)), interval: interval, logger: logger,
            failure: "pruning: failed — it is tried again at the next interval"
        ) { _ = try await prune() }
    }

    /// Deletes every record older than its keep period; returns how many of each kind went.
    @discardableResult
    public func prune() async throws -> [PrunedRecords: Int] {
        var deleted: [PrunedRecords: Int] = [:]
        for (records, cutoff) in keeping.cutoffs(at: now()) {
            let total = try await BatchedPruning.deleteAll(batch: batch) {
                try await store.prune(records, before: cutoff, limit: batch)
            }
            deleted[records] = total
            if total > 0 {
                logger.info(
                    "pruning: deleted records older than their keep period",
                    metadata: [
                        "registry.pruned.records": "\(records.rawValue)", "registry.pruned.count": "\(total)",
                        "registry.pruned.before": "\(cutoff)",
                    ])
            }
        }
        return deleted
    }
}
