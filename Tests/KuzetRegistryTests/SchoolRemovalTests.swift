import Foundation
import KuzetCore
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// `kuzet-registry school remove`: a school that no longer reports leaves every count.
@Suite("Removing a school", .timeLimit(.minutes(2)))
struct SchoolRemovalTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test(
        "the school, its history and its tokens go; the other schools stay; its heartbeats are refused until it is registered again",
        arguments: StoreKind.allCases)
    func removeSchool(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let gone = Sample(schoolID: "KZ-RM-0001", name: "Closed school", region: "Astana")
            let kept = Sample(schoolID: "KZ-RM-0002", name: "Open school", region: "Astana")
            for sample in [gone, kept] {
                try await store.register(
                    SchoolRegistration(id: sample.schoolID, name: sample.name, region: sample.region), at: start)
                try await store.insert(
                    StoredToken(
                        hash: AccessToken.hash("token-\(sample.schoolID)"),
                        principal: Principal(role: .school, schoolID: sample.schoolID), createdAt: start))
                for sequence in 1...3 {
                    let sent = start.addingTimeInterval(Double(sequence) * 30)
                    _ = try await store.ingest(
                        schoolID: sample.schoolID, heartbeats: [sample.heartbeat(UInt64(sequence), at: sent)],
                        receivedAt: sent, policy: FlagPolicy())
                }
            }
            try await store.insert(
                StoredToken(hash: AccessToken.hash("viewer"), principal: Principal(role: .viewer), createdAt: start))

            #expect(try await store.removeSchool(id: gone.schoolID) == SchoolRemoval(tokens: 1, heartbeats: 3))
            #expect(try await store.school(id: gone.schoolID) == nil)
            #expect(try await store.history(schoolID: gone.schoolID, limit: 10).isEmpty)
            #expect(try await store.token(hash: AccessToken.hash("token-\(gone.schoolID)")) == nil)
            let now = start.addingTimeInterval(100)
            let report = try await store.report(region: nil, at: now, policy: FlagPolicy())
            #expect(report.total.schools == 1)
            #expect(report.total.online == 1)
            #expect(
                try await store.schools(SchoolQuery(), at: now, policy: FlagPolicy()).schools.map(\.id) == [
                    kept.schoolID
                ])
            #expect(try await store.tokens().count == 2, "the other school's token and the viewer's stay")
            #expect(try await store.removeSchool(id: gone.schoolID) == nil, "removing it again finds nothing")

            // Its agent still reports (a running instance may hold its token for a minute): refused,
            // nothing stored; the other school's heartbeats, arriving at the same moments (so mostly
            // written in the same groups, which are then rolled back and written request by request),
            // are stored as usual.
            let late = start.addingTimeInterval(300)
            let outcomes = await withTaskGroup(of: (String, Result<IngestResult, SchoolRemovedError>?).self) { group in
                for sequence in 4...13 {
                    for sample in [gone, kept] {
                        group.addTask {
                            do {
                                return (
                                    sample.schoolID,
                                    .success(
                                        try await store.ingest(
                                            schoolID: sample.schoolID,
                                            heartbeats: [sample.heartbeat(UInt64(sequence), at: late)],
                                            receivedAt: late, policy: FlagPolicy()))
                                )
                            } catch let error as SchoolRemovedError {
                                return (sample.schoolID, .failure(error))
                            } catch {
                                Issue.record("\(sample.schoolID) \(sequence): \(String(reflecting: error))")
                                return (sample.schoolID, nil)
                            }
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(
                outcomes.filter { $0.0 == gone.schoolID }.allSatisfy {
                    $0.1 == .failure(SchoolRemovedError(schoolID: gone.schoolID))
                }, "\(outcomes)")
            #expect(
                outcomes.filter { $0.0 == kept.schoolID }.allSatisfy { (try? $0.1?.get())?.accepted == 1 },
                "\(outcomes)")
            #expect(outcomes.count == 20)
            #expect(
                try await store.school(id: gone.schoolID) == nil, "a heartbeat does not bring a removed school back")
            #expect(try await store.history(schoolID: gone.schoolID, limit: 10).isEmpty)
            #expect(try await store.history(schoolID: kept.schoolID, limit: 20).count == 13)
            #expect(try await store.report(region: nil, at: late, policy: FlagPolicy()).total.schools == 1)

            // Registered again (`token create` registers), it starts from nothing: the state held before is not reused.
            try await store.register(
                SchoolRegistration(id: gone.schoolID, name: gone.name, region: gone.region),
                at: start.addingTimeInterval(500))
            let again = start.addingTimeInterval(600)
            var back = gone
            back.cameras = 5
            let result = try await store.ingest(
                schoolID: gone.schoolID, heartbeats: [back.heartbeat(1, at: again)], receivedAt: again,
                policy: FlagPolicy())
            #expect(result == IngestResult(accepted: 1, duplicates: 0, highestSequence: 1))
            let record = try #require(try await store.school(id: gone.schoolID))
            #expect(record.state?.lastSequence == 1)
            #expect(record.state?.cameras.count == 5)
            #expect(try await store.history(schoolID: gone.schoolID, limit: 10).map(\.sequence) == [1])
        }
    }
}
