import Foundation
import Synchronization

/// Group commit: the ingests waiting at a moment (any schools, any requests) are written in ONE
/// transaction, so one commit (one fsync) serves them all. Nobody is answered before that commit.
///
/// Up to `writers` groups are written at once (SQLite: 1, it has one writer; PostgreSQL: a few, on
/// separate connections). A request arriving while every writer is busy waits for the next group.
/// If a group's transaction fails it is rolled back whole, and its requests are written again one
/// per transaction: one bad request fails alone, the others are stored and answered as usual.
final class IngestGroupWriter: Sendable {
    typealias Write = @Sendable ([IngestRequest]) async throws -> [IngestResult]

    private struct Waiting {
        var request: IngestRequest
        var continuation: CheckedContinuation<IngestResult, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        var activeWriters = 0
        var writing = 0
        var statistics = IngestGroupStatistics()
    }

    private let state = Mutex(State())
    private let writers: Int
    private let maximumHeartbeats: Int
    private let write: Write

    /// - Parameters:
    ///   - writers: groups written at the same time.
    ///   - maximumHeartbeats: a group stops growing at this many heartbeats (a bigger request goes alone).
    init(writers: Int, maximumHeartbeats: Int = 2000, write: @escaping Write) {
        self.writers = writers
        self.maximumHeartbeats = maximumHeartbeats
        self.write = write
    }

    var statistics: IngestGroupStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.waiting = state.queue.count
            statistics.writing = state.writing
            statistics.writers = writers
            return statistics
        }
    }

    /// Stores `request` with whatever else is waiting; returns once its group is committed.
    func submit(_ request: IngestRequest) async throws -> IngestResult {
        try await withCheckedThrowingContinuation { continuation in
            let startWriter = state.withLock { state in
                state.queue.append(Waiting(request: request, continuation: continuation))
                guard state.activeWriters < writers else { return false }
                state.activeWriters += 1
                return true
            }
            if startWriter { Task { await self.drain() } }
        }
    }

    /// Writes groups until nothing waits.
    private func drain() async {
        while let group = nextGroup() {
            let outcomes = await writeGroup(group.map(\.request))
            state.withLock { state in
                state.writing -= group.count
                state.statistics.requests += group.count
                state.statistics.largestGroup = max(state.statistics.largestGroup, group.count)
            }
            for (waiting, outcome) in zip(group, outcomes) { waiting.continuation.resume(with: outcome) }
        }
    }

    /// The next group (oldest first, up to `maximumHeartbeats`), or nil — then this writer stops.
    private func nextGroup() -> [Waiting]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.activeWriters -= 1
                return nil
            }
            var count = 0
            var heartbeats = 0
            for waiting in state.queue {
                if count > 0 && heartbeats + waiting.request.heartbeats.count > maximumHeartbeats { break }
                count += 1
                heartbeats += waiting.request.heartbeats.count
            }
            let group = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            state.writing += count
            state.statistics.groups += 1
            return group
        }
    }

    /// The group in one transaction; if that fails (rolled back whole), each request alone.
    private func writeGroup(_ requests: [IngestRequest]) async -> [Result<IngestResult, any Error>] {
        do {
            let results = try await write(requests)
            precondition(results.count == requests.count, "a group write answers every request")
            return results.map { .success($0) }
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            state.withLock { state in
                state.statistics.splitGroups += 1
                state.statistics.groups += requests.count
            }
            var outcomes: [Result<IngestResult, any Error>] = []
            for request in requests {
                do {
                    outcomes.append(.success(try await write([request])[0]))
                } catch {
                    outcomes.append(.failure(error))
                }
            }
            return outcomes
        }
    }
}
