import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

@Suite("History retention", .timeLimit(.minutes(2)))
struct HistoryRetentionTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// Heartbeats 1–3 arrived 40 days ago, 4–5 ten days ago.
    static func ingestOldAndRecent(_ store: any RegistryStore, school: String) async throws {
        let sample = Sample(schoolID: school)
        for sequence in 1...5 {
            let received = now.addingTimeInterval(-(sequence <= 3 ? 40 : 10) * 86_400 + Double(sequence))
            _ = try await store.ingest(
                schoolID: school, heartbeats: [sample.heartbeat(UInt64(sequence), at: received)], receivedAt: received,
                policy: FlagPolicy())
        }
    }

    @Test(
        "pruning deletes the heartbeats that arrived before the kept days, in batches, and leaves the newer ones and the state",
        arguments: StoreKind.allCases)
    func pruneDeletesOnlyOldHistory(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await Self.ingestOldAndRecent(store, school: "KZ-HIS-0001")
            try await Self.ingestOldAndRecent(store, school: "KZ-HIS-0002")
            let pruner = HistoryPruner(store: store, days: 30, batch: 4, now: { Self.now })
            #expect(try await pruner.prune() == 6) // batches of 4, 2, 0
            for school in ["KZ-HIS-0001", "KZ-HIS-0002"] {
                #expect(try await store.history(schoolID: school, limit: 10).map(\.sequence) == [5, 4])
                #expect(try await store.school(id: school)?.state?.lastSequence == 5)
            }
            #expect(try await pruner.prune() == 0)
            let shorter = HistoryPruner(store: store, days: 5, batch: 4, now: { Self.now })
            #expect(try await shorter.prune() == 4)
            #expect(try await store.history(schoolID: "KZ-HIS-0001", limit: 10).isEmpty)
        }
    }

    @Test(
        "the pruner service prunes after its delay and ends when its task is cancelled", arguments: StoreKind.allCases)
    func serviceRunsAndStops(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await Self.ingestOldAndRecent(store, school: "KZ-HIS-0003")
            let pruner = HistoryPruner(
                store: store, days: 30, interval: .milliseconds(200), delay: .milliseconds(100), now: { Self.now })
            let task = Task { try await pruner.run() }
            var remaining: [UInt64] = []
            for _ in 0..<100 {
                remaining = try await store.history(schoolID: "KZ-HIS-0003", limit: 10).map(\.sequence)
                if remaining.count == 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(remaining == [5, 4])
            task.cancel()
            let ended = Task {
                try? await task.value
                return true
            }
            #expect(await ended.value)
        }
    }
}
