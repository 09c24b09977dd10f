import Foundation
import KuzetCore
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// A page of schools is read from the schools table's columns, not from each school's state JSON.
@Suite("School list", .timeLimit(.minutes(1)))
struct SchoolListTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Schools in different conditions: all well, push failing, short retention with a disabled camera, disk pressure.
    static func fill(_ store: any RegistryStore) async throws -> [String] {
        var samples = (1...4).map { Sample(schoolID: String(format: "KZ-LST-%04d", $0), cameras: $0 + 1) }
        samples[1].push = .failing
        samples[2].retentionDays = 12
        samples[2].recording = .disabled
        samples[3].diskPressure = true
        samples[3].recording = .notRecording
        for (index, sample) in samples.enumerated() {
            let heartbeats = (1...3).map {
                sample.heartbeat(UInt64($0), at: start.addingTimeInterval(Double($0 * 30 + index)))
            }
            _ = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: heartbeats, receivedAt: start.addingTimeInterval(100),
                policy: FlagPolicy())
        }
        try await store.register(SchoolRegistration(id: "KZ-LST-0099", name: "Never reported"), at: start)
        return samples.map(\.schoolID) + ["KZ-LST-0099"]
    }

    /// The list's entries and the same schools read in full, as list entries.
    static func compare(_ store: any RegistryStore) async throws -> (listed: [SchoolListing], full: [SchoolListing]) {
        let page = try await store.schools(SchoolQuery(), at: start.addingTimeInterval(120), policy: FlagPolicy())
        var full: [SchoolListing] = []
        for school in page.schools { full.append(try #require(try await store.school(id: school.id)).listing) }
        return (page.schools, full)
    }

    @Test("the list shows the figures and flags of each school's full state", arguments: StoreKind.allCases)
    func listMatchesState(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let ids = try await Self.fill(store)
            let (listed, full) = try await Self.compare(store)
            #expect(listed.map(\.id) == ids)
            #expect(listed == full)
            #expect(listed.contains { !($0.status?.flags.isEmpty ?? true) })
            #expect(listed.last?.status == nil)
        }
    }

    @Test(
        "the list reads the status columns; rows written before they existed are read from their state",
        arguments: StoreKind.allCases)
    func statusColumnsAndOlderRows(kind: StoreKind) async throws {
        try await withStore(kind) { store, info in
            _ = try await Self.fill(store)
            let session = try DatabaseSession(info)
            // A figure changed in the column alone shows in the list: the list does not decode the state.
            try session.execute("UPDATE schools SET cameras = 99 WHERE id = 'KZ-LST-0001';")
            var (listed, full) = try await Self.compare(store)
            #expect(listed.first?.status?.cameras == 99)
            #expect(full.first?.status?.cameras == 2)
            // A database from before the columns: migrate adds them empty, and the list reads the state.
            try session.execute(
                "ALTER TABLE schools DROP COLUMN cameras; ALTER TABLE schools DROP COLUMN cameras_recording; ALTER TABLE schools DROP COLUMN minimum_retention_days;"
            )
            session.close()
            try await store.migrate()
            (listed, full) = try await Self.compare(store)
            #expect(listed == full)
            #expect(listed.first?.status?.cameras == 2)
        }
    }
}
