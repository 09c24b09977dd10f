import Foundation
import KuzetProtocol
import Synchronization

/// Group commit: the ingests waiting at a moment (any schools, any requests) are written in ONE
/// transaction, so one commit (one fsync) serves them all. Nobody is answered before that commit.
///
/// Up to `writers` groups are written at once (SQLite: 1, it has one writer; PostgreSQL: a few, on
/// separate connections). A request arriving while every writer is busy waits for the next group.
///
/// A blocking write (SQLite's) runs on a thread of its own that takes the next group the moment a
/// commit returns. Written as an async loop instead, every group cost two hops between GRDB's queue
/// and a busy event loop, and the writer sat idle, between commits, while the loop got round to it.
///
/// If a group's transaction fails it is rolled back whole, and its requests are written again one
/// per transaction: one bad request fails alone, the others are stored and answered as usual.
final class IngestGroupWriter: Sendable {
    typealias Write = @Sendable ([IngestRequest]) async throws -> [IngestResult]
    typealias BlockingWrite = @Sendable ([IngestRequest]) throws -> [IngestResult]

    private enum Writing: Sendable {
        case async(Write)
        /// Run on `queue` (serial, one per writer is enough: SQLite has one writer); `afterAnswering`
        /// runs there after each group's requests are answered.
        case blocking(BlockingWrite, queue: DispatchQueue, afterAnswering: @Sendable () -> Void)
    }

    /// Called once, on the writer's thread or task, when the request's group is committed (or failed).
    typealias Answer = @Sendable (Result<IngestResult, any Error>) -> Void

    private struct Waiting {
        var request: IngestRequest
        var answer: Answer
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
    private let writing: Writing

    /// - Parameters:
    ///   - writers: groups written at the same time.
    ///   - maximumHeartbeats: a group stops growing at this many heartbeats (a bigger request goes alone).
    init(writers: Int, maximumHeartbeats: Int = 2000, write: @escaping Write) {
        self.writers = writers
        self.maximumHeartbeats = maximumHeartbeats
        self.writing = .async(write)
    }

    /// One writer whose `write` blocks its thread until the group is committed; `afterAnswering`
    /// is upkeep the writer does between groups, once a group's requests have their answers.
    init(
        label: String, maximumHeartbeats: Int = 2000, blockingWrite: @escaping BlockingWrite,
        afterAnswering: @escaping @Sendable () -> Void = {}
    ) {
        self.writers = 1
        self.maximumHeartbeats = maximumHeartbeats
        self.writing = .blocking(blockingWrite, queue: DispatchQueue(label: label), afterAnswering: afterAnswering)
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

    /// A store's ingest: the request, prepared from the store's `cache`, submitted (or its
    /// preparation's error answered at once).
    func submit(
        schoolID: String, heartbeats: [Heartbeat], payloads: [Data], receivedAt: Date, policy: FlagPolicy,
        cache: SchoolStateCache,
        answer: @escaping Answer
    ) {
        precondition(payloads.count == heartbeats.count, "one payload per heartbeat")
        do {
            let request = try IngestRequest(
                schoolID: schoolID, heartbeats: heartbeats, payloads: payloads, receivedAt: receivedAt, policy: policy,
                preparingFrom: cache)
            submit(request, answer: answer)
        } catch {
            answer(.failure(error))
        }
    }

    /// Stores `request` with whatever else is waiting; `answer` is called once its group is committed.
    func submit(_ request: IngestRequest, answer: @escaping Answer) {
        let startWriter = state.withLock { state in
            state.queue.append(Waiting(request: request, answer: answer))
            guard state.activeWriters < writers else { return false }
            state.activeWriters += 1
            return true
        }
        guard startWriter else { return }
        switch writing {
        case .async(let write): Task { await self.drain(write) }
        case .blocking(let write, let queue, let afterAnswering):
            queue.async { self.drain(write, afterAnswering: afterAnswering) }
        }
    }

    /// Writes groups until nothing waits.
    private func drain(_ write: Write) async {
        while let group = nextGroup() {
            let start = ContinuousClock.now
            let outcomes = await writeGroup(group.map(\.request), write)
            finish(group, outcomes, took: ContinuousClock.now - start)
        }
    }

    /// Writes groups until nothing waits, on the calling thread.
    private func drain(_ write: BlockingWrite, afterAnswering: () -> Void) {
        while let group = nextGroup() {
            let start = ContinuousClock.now
            let outcomes = writeGroup(group.map(\.request), write)
            finish(group, outcomes, took: ContinuousClock.now - start)
            afterAnswering()
        }
    }

    /// Counts a written group and answers its requests.
    private func finish(_ group: [Waiting], _ outcomes: [Result<IngestResult, any Error>], took duration: Duration) {
        state.withLock { state in
            state.statistics.writingSeconds +=
                Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
            state.writing -= group.count
            state.statistics.requests += group.count
            state.statistics.largestGroup = max(state.statistics.largestGroup, group.count)
        }
        for (waiting, outcome) in zip(group, outcomes) { waiting.answer(outcome) }
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
    private func writeGroup(_ requests: [IngestRequest], _ write: Write) async -> [Result<IngestResult, any Error>] {
        do {
            return try Self.answers(await write(requests), to: requests)
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            countSplit(requests)
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

    /// As above, blocking.
    private func writeGroup(_ requests: [IngestRequest], _ write: BlockingWrite) -> [Result<IngestResult, any Error>] {
        do {
            return try Self.answers(write(requests), to: requests)
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            countSplit(requests)
            return requests.map { request in Result { try write([request])[0] } }
        }
    }

    private static func answers(_ results: [IngestResult], to requests: [IngestRequest]) -> [Result<
        IngestResult, any Error
    >] {
        precondition(results.count == requests.count, "a group write answers every request")
        return results.map { .success($0) }
    }

    private func countSplit(_ requests: [IngestRequest]) {
        state.withLock { state in
            state.statistics.splitGroups += 1
            state.statistics.groups += requests.count
        }
    }
}
