import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// `kuzet-registry school remove`: a school that no longer reports leaves every count.
@Suite("Removing a school", .timeLimit(.minutes(2)))
struct SchoolRemovalTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("the school, its history and its tokens go; the other schools stay; it can report again afterwards", arguments: StoreKind.allCases)
    func removeSchool(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let gone = Sample(schoolID: "KZ-RM-0001", name: "Closed school", region: "Astana")
            let kept = Sample(schoolID: "KZ-RM-0002", name: "Open school", region: "Astana")
            for sample in [gone, kept] {
                try await store.register(SchoolRegistration(id: sample.schoolID, name: sample.name, region: sample.region), at: start)
                try await store.insert(StoredToken(hash: AccessToken.hash("token-\(sample.schoolID)"), principal: Principal(role: .school, schoolID: sample.schoolID), createdAt: start))
                for sequence in 1...3 {
                    let sent = start.addingTimeInterval(Double(sequence) * 30)
                    _ = try await store.ingest(schoolID: sample.schoolID, heartbeats: [sample.heartbeat(UInt64(sequence), at: sent)], receivedAt: sent, policy: FlagPolicy())
                }
            }
            try await store.insert(StoredToken(hash: AccessToken.hash("viewer"), principal: Principal(role: .viewer), createdAt: start))

            #expect(try await store.removeSchool(id: gone.schoolID) == SchoolRemoval(tokens: 1, heartbeats: 3))
            #expect(try await store.school(id: gone.schoolID) == nil)
            #expect(try await store.history(schoolID: gone.schoolID, limit: 10).isEmpty)
            #expect(try await store.token(hash: AccessToken.hash("token-\(gone.schoolID)")) == nil)
            let now = start.addingTimeInterval(100)
            let report = try await store.report(region: nil, at: now, policy: FlagPolicy())
            #expect(report.total.schools == 1)
            #expect(report.total.online == 1)
            #expect(try await store.schools(SchoolQuery(), at: now, policy: FlagPolicy()).schools.map(\.id) == [kept.schoolID])
            #expect(try await store.tokens().count == 2, "the other school's token and the viewer's stay")
            #expect(try await store.removeSchool(id: gone.schoolID) == nil, "removing it again finds nothing")

            // Registered again (a new token), it starts from nothing: the state held before is not reused.
            let again = start.addingTimeInterval(600)
            var back = gone
            back.cameras = 5
            let result = try await store.ingest(schoolID: gone.schoolID, heartbeats: [back.heartbeat(1, at: again)], receivedAt: again, policy: FlagPolicy())
            #expect(result == IngestResult(accepted: 1, duplicates: 0, highestSequence: 1))
            let record = try #require(try await store.school(id: gone.schoolID))
            #expect(record.state?.lastSequence == 1)
            #expect(record.state?.cameras.count == 5)
            #expect(try await store.history(schoolID: gone.schoolID, limit: 10).map(\.sequence) == [1])
        }
    }
}
