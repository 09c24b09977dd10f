import Foundation
import KuzetProtocol
import KuzetTestKit
import Logging
import PostgresNIO
import Testing

@testable import KuzetRegistry

/// PostgreSQL's one-statement ingest of schools whose state the instance holds
/// (`PostgresRegistryStore.writeKnown`), and its way back to the general, locking path.
@Suite("PostgreSQL ingest from held states", .timeLimit(.minutes(2)))
struct PostgresKnownStateTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// The ingest statement is one call with array arguments holding the group's payloads: planned
    /// again for its arguments (`plan_cache_mode = auto`), it slowed a fleet's answers several-fold
    /// (bench/README.md, session 12). Every connection of the store keeps generic plans.
    @Test("the store's connections keep one generic plan per statement")
    func connectionsKeepGenericPlans() async throws {
        try await withStore(.postgres) { store, _ in
            let store = try #require(store as? PostgresRegistryStore)
            let rows = try await store.client.query("SHOW plan_cache_mode", logger: store.logger)
            var modes: [String] = []
            for try await mode in rows.decode(String.self) { modes.append(mode) }
            #expect(modes == ["force_generic_plan"])
        }
    }

    @Test(
        "a school seen before is written in one statement: new, replayed and late heartbeats count as on the general path"
    )
    func heldStateIsWrittenInOneStatement() async throws {
        try await withStore(.postgres) { store, _ in
            let store = try #require(store as? PostgresRegistryStore)
            var sample = Sample(schoolID: "KZ-KNOWN-0001", name: "Школа № 1", region: "Алматы")
            let first = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: [sample.heartbeat(5, at: start)], receivedAt: start,
                policy: FlagPolicy())
            #expect(first == IngestResult(accepted: 1, duplicates: 0, highestSequence: 5))
            #expect(store.ingestPaths == PostgresIngestPaths(), "a new school is read and locked the general way")

            // Newer (6, and 8 which turns push to failing), a replay (5) and a late one (3), in one request.
            sample.push = .failing
            let later = start.addingTimeInterval(60)
            let batch = [
                sample.heartbeat(5, at: start), sample.heartbeat(3, at: start.addingTimeInterval(-60)),
                sample.heartbeat(6, at: start.addingTimeInterval(30)), sample.heartbeat(8, at: later),
            ]
            let second = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: batch, receivedAt: later, policy: FlagPolicy())
            #expect(second == IngestResult(accepted: 3, duplicates: 1, highestSequence: 8))
            #expect(store.ingestPaths.known == 1)
            #expect(store.ingestPaths.stale == 0)

            // The same request again: all duplicates, nothing moves.
            let again = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: batch, receivedAt: later.addingTimeInterval(1),
                policy: FlagPolicy())
            #expect(again == IngestResult(accepted: 0, duplicates: 4, highestSequence: 8))
            #expect(store.ingestPaths.known == 2)

            let record = try #require(try await store.school(id: sample.schoolID))
            #expect(record.state?.lastSequence == 8)
            #expect(
                record.state?.flags.since(.notDelivering) == start.addingTimeInterval(30),
                "since the first failing heartbeat (6)")
            #expect(record.name == "Школа № 1")
            #expect(record.lastContactAt == later.addingTimeInterval(1))
            #expect(try await store.history(schoolID: sample.schoolID, limit: 10).map(\.sequence) == [8, 6, 5, 3])
            let failing = try await store.schools(SchoolQuery(flag: .notDelivering), at: later, policy: FlagPolicy())
            #expect(failing.schools.map(\.id) == [sample.schoolID], "the flag column was written with the state")
        }
    }

    @Test(
        "a heartbeat newer than the held state already in the database sends the group the general way, which counts it as a duplicate"
    )
    func storedNewerHeartbeatIsCaught() async throws {
        try await withStore(.postgres) { store, info in
            let store = try #require(store as? PostgresRegistryStore)
            let sample = Sample(schoolID: "KZ-KNOWN-0002")
            _ = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: [sample.heartbeat(1, at: start)], receivedAt: start,
                policy: FlagPolicy())
            // A row the state does not reflect (as if written by a version of the registry with a bug).
            let session = try DatabaseSession(info)
            try session.execute(
                "INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload) VALUES ('\(sample.schoolID)', 2, 0, 0, '{}');"
            )
            session.close()

            let result = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: [sample.heartbeat(2, at: start.addingTimeInterval(30))],
                receivedAt: start.addingTimeInterval(30), policy: FlagPolicy())
            #expect(result.accepted == 0)
            #expect(result.duplicates == 1)
            #expect(store.ingestPaths == PostgresIngestPaths(known: 0, stale: 1))
            #expect(
                try await store.school(id: sample.schoolID)?.state?.lastSequence == 1,
                "the state is not moved by a heartbeat that was not stored now")
        }
    }

    @Test(
        "two instances that both hold the same schools' states, each heartbeat sent to both at once: exact counts, no deadlock, both ways taken"
    )
    func twoInstancesHoldingTheSameSchools() async throws {
        try await withStore(.postgres) { first, info in
            let url = try #require(info.postgresURL)
            guard case .postgres(let location) = try DatabaseLocation(parsing: url) else {
                throw TestKitError("not a postgres URL")
            }
            let second = try PostgresRegistryStore(location: location, logger: Logger(label: "kuzet.registry.test"))
            let first = try #require(first as? PostgresRegistryStore)
            try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await second.run() }
                defer { services.cancelAll() }
                let schools = (1...3).map { String(format: "KZ-HELD-%04d", $0) }
                let stores = [first, second]
                func heartbeat(_ school: String, _ sequence: Int) -> Heartbeat {
                    var sample = Sample(schoolID: school)
                    sample.cameras = sequence % 4 + 1
                    return sample.heartbeat(UInt64(sequence), at: start.addingTimeInterval(Double(sequence) * 30))
                }
                var accepted: [String: Int] = [:]
                for sequence in 1...40 {
                    // Both instances get every school's heartbeat at the same moment (an agent retrying
                    // through another instance); one stores it, the other finds it a duplicate.
                    let results = try await withThrowingTaskGroup(of: (String, IngestResult).self) { group in
                        for school in schools.shuffled() {
                            for store in stores.shuffled() {
                                group.addTask {
                                    let received = start.addingTimeInterval(Double(sequence) * 30)
                                    return (
                                        school,
                                        try await store.ingest(
                                            schoolID: school, heartbeats: [heartbeat(school, sequence)],
                                            receivedAt: received, policy: FlagPolicy())
                                    )
                                }
                            }
                        }
                        var results: [(String, IngestResult)] = []
                        for try await result in group { results.append(result) }
                        return results
                    }
                    for (school, result) in results {
                        accepted[school, default: 0] += result.accepted
                        #expect(result.highestSequence == UInt64(sequence))
                    }
                }
                for school in schools {
                    #expect(accepted[school] == 40, "\(school): each sequence accepted once across both instances")
                    for store in stores {
                        let record = try #require(try await store.school(id: school))
                        #expect(record.state?.lastSequence == 40)
                        #expect(record.state?.cameras.count == 40 % 4 + 1)
                    }
                    #expect(try await second.history(schoolID: school, limit: 100).count == 40)
                }
                let known = first.ingestPaths.known + second.ingestPaths.known
                let stale = first.ingestPaths.stale + second.ingestPaths.stale
                #expect(known > 0, "groups written from held states: \(known)")
                #expect(stale > 0, "groups whose held state the other instance had moved on: \(stale)")
            }
        }
    }
}
