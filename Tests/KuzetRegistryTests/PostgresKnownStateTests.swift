import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// PostgreSQL's one-statement ingest of schools whose state the instance holds
/// (`PostgresRegistryStore.writeKnown`), and its way back to the general, locking path.
@Suite("PostgreSQL ingest from held states", .timeLimit(.minutes(2)))
struct PostgresKnownStateTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("a school seen before is written in one statement: new, replayed and late heartbeats count as on the general path")
    func heldStateIsWrittenInOneStatement() async throws {
        try await withStore(.postgres) { store, _ in
            let store = try #require(store as? PostgresRegistryStore)
            var sample = Sample(schoolID: "KZ-KNOWN-0001", name: "Школа № 1", region: "Алматы")
            let first = try await store.ingest(schoolID: sample.schoolID, heartbeats: [sample.heartbeat(5, at: start)], receivedAt: start, policy: FlagPolicy())
            #expect(first == IngestResult(accepted: 1, duplicates: 0, highestSequence: 5))
            #expect(store.ingestPaths == PostgresIngestPaths(), "a new school is read and locked the general way")

            // Newer (6, and 8 which turns push to failing), a replay (5) and a late one (3), in one request.
            sample.push = .failing
            let later = start.addingTimeInterval(60)
            let batch = [sample.heartbeat(5, at: start), sample.heartbeat(3, at: start.addingTimeInterval(-60)),
                         sample.heartbeat(6, at: start.addingTimeInterval(30)), sample.heartbeat(8, at: later)]
            let second = try await store.ingest(schoolID: sample.schoolID, heartbeats: batch, receivedAt: later, policy: FlagPolicy())
            #expect(second == IngestResult(accepted: 3, duplicates: 1, highestSequence: 8))
            #expect(store.ingestPaths.known == 1)
            #expect(store.ingestPaths.stale == 0)

            // The same request again: all duplicates, nothing moves.
            let again = try await store.ingest(schoolID: sample.schoolID, heartbeats: batch, receivedAt: later.addingTimeInterval(1), policy: FlagPolicy())
            #expect(again == IngestResult(accepted: 0, duplicates: 4, highestSequence: 8))
            #expect(store.ingestPaths.known == 2)

            let record = try #require(try await store.school(id: sample.schoolID))
            #expect(record.state?.lastSequence == 8)
            #expect(record.state?.flags.since(.notDelivering) == start.addingTimeInterval(30), "since the first failing heartbeat (6)")
            #expect(record.name == "Школа № 1")
            #expect(record.lastContactAt == later.addingTimeInterval(1))
            #expect(try await store.history(schoolID: sample.schoolID, limit: 10).map(\.sequence) == [8, 6, 5, 3])
            let failing = try await store.schools(SchoolQuery(flag: .notDelivering), at: later, policy: FlagPolicy())
            #expect(failing.schools.map(\.id) == [sample.schoolID], "the flag column was written with the state")
        }
    }

    @Test("a heartbeat newer than the held state already in the database sends the group the general way, which counts it as a duplicate")
    func storedNewerHeartbeatIsCaught() async throws {
        try await withStore(.postgres) { store, info in
            let store = try #require(store as? PostgresRegistryStore)
            let sample = Sample(schoolID: "KZ-KNOWN-0002")
            _ = try await store.ingest(schoolID: sample.schoolID, heartbeats: [sample.heartbeat(1, at: start)], receivedAt: start, policy: FlagPolicy())
            // A row the state does not reflect (as if written by a version of the registry with a bug).
            let session = try DatabaseSession(info)
            try session.execute(
                "INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload) VALUES ('\(sample.schoolID)', 2, 0, 0, '{}');")
            session.close()

            let result = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: [sample.heartbeat(2, at: start.addingTimeInterval(30))],
                receivedAt: start.addingTimeInterval(30), policy: FlagPolicy())
            #expect(result.accepted == 0)
            #expect(result.duplicates == 1)
            #expect(store.ingestPaths == PostgresIngestPaths(known: 0, stale: 1))
            #expect(try await store.school(id: sample.schoolID)?.state?.lastSequence == 1, "the state is not moved by a heartbeat that was not stored now")
        }
    }
}
