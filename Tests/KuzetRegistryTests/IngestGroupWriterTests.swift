import Foundation
import KuzetProtocol
import Synchronization
import Testing

@testable import KuzetRegistry

/// The group writer's order of work on its own thread: write a group, answer its requests, then
/// the store's upkeep (SQLite restarts its WAL there), then the next group.
@Suite("Ingest group writer", .timeLimit(.minutes(1)))
struct IngestGroupWriterTests {
    static func request(_ school: String) throws -> IngestRequest {
        let heartbeat = Sample(schoolID: school).heartbeat(1, at: Date(timeIntervalSince1970: 1_790_000_000))
        return try IngestRequest(
            schoolID: school, heartbeats: [heartbeat], payloads: [heartbeat.json], receivedAt: heartbeat.sentAt,
            policy: FlagPolicy(),
            preparingFrom: SchoolStateCache())
    }

    @Test("upkeep runs after a group's requests are answered and before the next group is written")
    func upkeepRunsBetweenGroups() throws {
        let events = Mutex<[String]>([])
        let firstWriting = DispatchSemaphore(value: 0)
        let releaseFirst = DispatchSemaphore(value: 0)
        let upkeepDone = DispatchSemaphore(value: 0)
        let writer = IngestGroupWriter(
            label: "kuzet.test.writer",
            blockingWrite: { requests in
                events.withLock { $0.append("write " + requests.map(\.schoolID).joined(separator: ",")) }
                if requests.first?.schoolID == "A" {
                    firstWriting.signal()
                    releaseFirst.wait()
                }
                return requests.map { _ in IngestResult(accepted: 1, duplicates: 0, highestSequence: 1) }
            },
            afterAnswering: {
                events.withLock { $0.append("upkeep") }
                upkeepDone.signal()
            })
        let answer = { (school: String) in
            { @Sendable (result: Result<IngestResult, any Error>) in
                events.withLock { $0.append("answer \(school) \((try? result.get().accepted) ?? -1)") }
            }
        }
        writer.submit(try Self.request("A"), answer: answer("A"))
        try #require(firstWriting.wait(timeout: .now() + 10) == .success)
        // B and C arrive while A's group is written: they wait, and go together.
        writer.submit(try Self.request("B"), answer: answer("B"))
        writer.submit(try Self.request("C"), answer: answer("C"))
        releaseFirst.signal()
        try #require(upkeepDone.wait(timeout: .now() + 10) == .success)
        try #require(upkeepDone.wait(timeout: .now() + 10) == .success)
        #expect(
            events.withLock { $0 } == [
                "write A", "answer A 1", "upkeep", "write B,C", "answer B 1", "answer C 1", "upkeep",
            ])
        #expect(writer.statistics.groups == 2)
    }
}
