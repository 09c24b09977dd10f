import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// Issue 21, must-show 7 (registry side): what the signed day roots cost the database, per school
/// and day at 32 cameras, measured on the real table (data and its primary key).
@Suite("Day root storage", .serialized, .timeLimit(.minutes(4)))
struct DayRootStorageTests {
    static let schools = 20
    static let cameras = 32
    static let days = 30

    @Test("32 cameras × 30 days of day roots cost under 8 KiB per school and day", arguments: StoreKind.allCases)
    func bytesPerSchoolPerDay(kind: StoreKind) async throws {
        try await withStore(kind) { store, info in
            let commitments = try #require(store as? any CommitmentStore)
            let today = UTCDay(Date())
            for school in 0..<Self.schools {
                let id = String(format: "KZ-AST-%04d", school)
                var roots: [StoredDayRoot] = []
                for camera in 0..<Self.cameras {
                    for back in 1...Self.days {
                        roots.append(
                            StoredDayRoot(
                                camera: "cam-\(camera + 1)", day: UTCDay(number: today.number - back), segments: 1440,
                                root: CommittedSchool.randomBytes(32), signature: CommittedSchool.randomBytes(64)))
                    }
                }
                #expect(try await commitments.storeDayRoots(schoolID: id, roots, at: Date()) == roots.count)
            }
            let session = try DatabaseSession(info)
            defer { session.close() }
            switch kind {
            case .sqlite:
                try session.execute("SELECT 'bytes=' || SUM(pgsize) FROM dbstat WHERE name = 'day_roots';")
            case .postgres:
                try session.execute("VACUUM ANALYZE day_roots; SELECT 'bytes=' || pg_total_relation_size('day_roots');")
            }
            let line = try #require(session.output.split(separator: "\n").first { $0.hasPrefix("bytes=") })
            let bytes = try #require(Int(line.dropFirst("bytes=".count)))
            let perSchoolDay = Double(bytes) / Double(Self.schools * Self.days)
            let perRow = Double(bytes) / Double(Self.schools * Self.days * Self.cameras)
            print(
                "day roots, \(kind): \(bytes) bytes for \(Self.schools) schools × \(Self.cameras) cameras × \(Self.days) days = \(Int(perSchoolDay)) bytes per school per day (\(Int(perRow)) per camera-day); 7,000 schools × 30 days ≈ \(String(format: "%.2f", perSchoolDay * 7000 * 30 / 1e9)) GB"
            )
            #expect(perSchoolDay < 8 * 1024)
        }
    }
}
