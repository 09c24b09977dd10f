import Logging
import ServiceLifecycle

/// The shape both pruning services share (`HistoryPruner`, `RecordPruner`): prune once after a
/// delay, then every interval until shutdown, a failure logged and tried again next time; each
/// pruning deletes in batches, one transaction each, yielding between them.
enum BatchedPruning {
    /// Runs `prune` after `delay`, then every `interval`, until cancelled or shut down gracefully.
    static func repeatedly(
        delay: Duration, interval: Duration, logger: Logger, failure: Logger.Message,
        _ prune: @escaping @Sendable () async throws -> Void
    ) async {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: delay)
            while !Task.isCancelled {
                do {
                    try await prune()
                } catch {
                    logger.error(failure, metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Calls `deleteBatch` (which deletes at most `batch` rows and says how many) until a batch
    /// comes back short; none is started once the task is cancelled (shutdown), and a batch that
    /// shutdown cancels ends the pruning as done so far, not as a failure. Returns the rows
    /// deleted in all.
    static func deleteAll(batch: Int, _ deleteBatch: () async throws -> Int) async throws -> Int {
        var total = 0
        while !Task.isCancelled {
            let deleted: Int
            do {
                deleted = try await deleteBatch()
            } catch is CancellationError {
                break
            }
            total += deleted
            if deleted < batch { break }
            await Task.yield()
        }
        return total
    }
}
