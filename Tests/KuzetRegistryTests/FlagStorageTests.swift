import Foundation
import KuzetCore
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// How the stores keep flags: a row per flag set (`school_flags`), written only when a school's flags
/// move, and taken over from the per-flag columns of a database made before.
@Suite("Flag storage", .serialized, .timeLimit(.minutes(2)))
struct FlagStorageTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)
    static let school = "KZ-FLG-0001"

    static func ingest(_ store: any RegistryStore, _ sample: Sample, _ sequence: UInt64) async throws {
        let heartbeat = sample.heartbeat(sequence, at: start.addingTimeInterval(Double(sequence) * 30))
        _ = try await store.ingest(
            schoolID: school, heartbeats: [heartbeat], receivedAt: heartbeat.sentAt, policy: FlagPolicy())
    }

    /// Counts the statements (PostgreSQL) or rows (SQLite) that write `school_flags`, in table `flag_writes`.
    static func countFlagWrites(_ session: DatabaseSession, _ kind: StoreKind) throws {
        switch kind {
        case .sqlite:
            try session.execute(
                """
                CREATE TABLE flag_writes (n INTEGER NOT NULL); INSERT INTO flag_writes VALUES (0);
                CREATE TRIGGER flag_inserts AFTER INSERT ON school_flags BEGIN UPDATE flag_writes SET n = n + 1; END;
                CREATE TRIGGER flag_deletes AFTER DELETE ON school_flags BEGIN UPDATE flag_writes SET n = n + 1; END;
                """)
        case .postgres:
            try session.execute(
                """
                CREATE TABLE flag_writes (n INTEGER NOT NULL); INSERT INTO flag_writes VALUES (0);
                CREATE FUNCTION count_flag_write() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN UPDATE flag_writes SET n = n + 1; RETURN NULL; END $$;
                CREATE TRIGGER flag_writes AFTER INSERT OR DELETE ON school_flags FOR EACH STATEMENT EXECUTE FUNCTION count_flag_write();
                """)
        }
    }

    static func flagWrites(_ session: DatabaseSession, _ mark: String) throws -> Int? {
        try session.execute("SELECT '\(mark):' || n FROM flag_writes;")
        let line = session.output.split(separator: "\n").last { $0.hasPrefix("\(mark):") }
        return line.flatMap { Int($0.dropFirst(mark.count + 1)) }
    }

    @Test(
        "a heartbeat that moves no flag writes nothing to the flag rows; one that moves a flag rewrites them",
        arguments: StoreKind.allCases)
    func unchangedFlagsAreNotWritten(kind: StoreKind) async throws {
        try await withStore(kind) { store, info in
            let session = try DatabaseSession(info)
            defer { session.close() }
            try Self.countFlagWrites(session, kind)
            var failing = Sample(schoolID: Self.school)
            failing.push = .failing
            try await Self.ingest(store, failing, 1)
            let afterFirst = try #require(try Self.flagWrites(session, "first"))
            #expect(afterFirst > 0, "NOT_DELIVERING set: its row is written")
            try await Self.ingest(store, failing, 2)
            try await Self.ingest(store, failing, 3)
            #expect(try Self.flagWrites(session, "same") == afterFirst, "still NOT_DELIVERING since 1: nothing written")

            let page = try await store.schools(
                SchoolQuery(flag: .notDelivering), at: Self.start.addingTimeInterval(100), policy: FlagPolicy())
            #expect(page.schools.map(\.id) == [Self.school])
            #expect(
                page.schools.first?.status?.flags == [
                    FlagMark(flag: .notDelivering, since: Self.start.addingTimeInterval(30))
                ])

            try await Self.ingest(store, Sample(schoolID: Self.school), 4)
            #expect(try #require(try Self.flagWrites(session, "cleared")) > afterFirst)
            let cleared = try await store.schools(
                SchoolQuery(flag: .notDelivering), at: Self.start.addingTimeInterval(130), policy: FlagPolicy())
            #expect(cleared.total == 0)
            let all = try await store.schools(
                SchoolQuery(), at: Self.start.addingTimeInterval(130), policy: FlagPolicy())
            #expect(all.schools.first?.status?.flags == [])
        }
    }

    @Test(
        "a database with the per-flag columns of before has its flags listed, filtered and counted after the next start",
        arguments: StoreKind.allCases)
    func legacyColumnsAreTakenOver(kind: StoreKind) async throws {
        try await withStore(kind) { store, info in
            try await Self.ingest(store, Sample(schoolID: Self.school), 1)
            let real = kind == .sqlite ? "REAL" : "DOUBLE PRECISION"
            let since = Self.start.addingTimeInterval(-3600).timeIntervalSince1970
            // As a registry before December 2026 left it: the flags in columns of `schools`, no `school_flags`.
            let session = try DatabaseSession(info)
            try session.execute(
                """
                DROP TABLE school_flags;
                ALTER TABLE schools ADD COLUMN not_recording_since \(real); ALTER TABLE schools ADD COLUMN not_delivering_since \(real);
                ALTER TABLE schools ADD COLUMN retention_below_since \(real); ALTER TABLE schools ADD COLUMN disk_pressure_since \(real);
                ALTER TABLE schools ADD COLUMN clock_skew_since \(real);
                UPDATE schools SET not_delivering_since = \(since), disk_pressure_since = \(since + 60) WHERE id = '\(Self.school)';
                """)
            session.close()
            try await store.migrate()
            try await store.migrate() // every start migrates: a second time changes nothing

            let now = Self.start.addingTimeInterval(40)
            let listed = try await store.schools(SchoolQuery(flag: .diskPressure), at: now, policy: FlagPolicy())
            #expect(listed.schools.map(\.id) == [Self.school])
            #expect(
                listed.schools.first?.status?.flags == [
                    FlagMark(flag: .notDelivering, since: Date(timeIntervalSince1970: since)),
                    FlagMark(flag: .diskPressure, since: Date(timeIntervalSince1970: since + 60)),
                ])
            let report = try await store.report(region: nil, at: now, policy: FlagPolicy())
            #expect(report.regions.first?.online == 1)
            #expect(report.regions.first?.delivering == 0, "NOT_DELIVERING taken over")
        }
    }

    @Test("a removed school's flag rows go with it", arguments: StoreKind.allCases)
    func removedSchoolLosesItsFlags(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            var failing = Sample(schoolID: Self.school)
            failing.push = .failing
            try await Self.ingest(store, failing, 1)
            #expect(try await store.removeSchool(id: Self.school) != nil)
            try await store.register(SchoolRegistration(id: Self.school), at: Self.start.addingTimeInterval(60))
            let page = try await store.schools(
                SchoolQuery(flag: .notDelivering), at: Self.start.addingTimeInterval(60), policy: FlagPolicy())
            #expect(page.total == 0)
        }
    }
}
