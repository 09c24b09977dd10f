import Foundation
import KuzetProtocol
import KuzetRegistry
import Testing

@Suite("Scratch flag", .serialized)
struct ScratchFlagTests {
    @Test("JUST_RESTARTED is stored, listed, filtered and cleared with no schema change", arguments: StoreKind.allCases)
    func scratchFlag(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            var heartbeat = Sample(schoolID: "KZ-NEW-0001").heartbeat(1, at: start)
            heartbeat.uptimeSeconds = 5
            _ = try await store.ingest(schoolID: "KZ-NEW-0001", heartbeats: [heartbeat], receivedAt: start, policy: FlagPolicy())
            let page = try await store.schools(SchoolQuery(flag: .justRestarted), at: start, policy: FlagPolicy())
            #expect(page.schools.map(\.id) == ["KZ-NEW-0001"])
            #expect(page.schools.first?.status?.flags.map(\.flag) == [.justRestarted])
            heartbeat = Sample(schoolID: "KZ-NEW-0001").heartbeat(2, at: start.addingTimeInterval(30))
            _ = try await store.ingest(schoolID: "KZ-NEW-0001", heartbeats: [heartbeat], receivedAt: heartbeat.sentAt, policy: FlagPolicy())
            #expect(try await store.schools(SchoolQuery(flag: .justRestarted), at: start, policy: FlagPolicy()).total == 0)
        }
    }
}
