import Foundation
import KuzetCore
import KuzetTestKit
import Testing

@testable import KuzetRegistry

/// Session 16, task P: the registry's tables that grow with time (day roots, challenges, commands,
/// the audit log) are pruned by age in batches, on real SQLite and PostgreSQL, without changing
/// what the report and the flags show.
@Suite("Record pruning", .serialized, .timeLimit(.minutes(6)))
struct RecordPruningTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let today = UTCDay(now)

    static func ago(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }

    static func root(_ camera: String, back: Int) -> StoredDayRoot {
        StoredDayRoot(
            camera: camera, day: UTCDay(number: today.number - back), segments: 1440,
            root: CommittedSchool.randomBytes(32), signature: CommittedSchool.randomBytes(64))
    }

    static func challenge(_ id: String, school: String, back: Int, issued: Date) -> StoredChallenge {
        StoredChallenge(
            id: id, schoolID: school, camera: "cam-1", day: UTCDay(number: today.number - back), segmentIndex: 3,
            chunkNonce: 7, issuedAt: issued, expiresAt: issued.addingTimeInterval(1800))
    }

    static func pruner(_ store: any RegistryStore, batch: Int = 5000) -> RecordPruner {
        RecordPruner(store: store, keeping: RecordKeeping(), batch: batch, now: { now })
    }

    @Test(
        "day roots of days older than the keep period go in batches, younger ones and one a challenge still asks about stay",
        arguments: StoreKind.allCases)
    func dayRootsOlderThanTheKeepPeriodGo(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let commitments = try #require(store as? any CommitmentStore)
            let backs = [200, 120, 95, 91, 90, 89, 30, 1]
            for school in ["KZ-PRU-0001", "KZ-PRU-0002"] {
                let roots = ["cam-1", "cam-2"].flatMap { camera in backs.map { Self.root(camera, back: $0) } }
                #expect(try await commitments.storeDayRoots(schoolID: school, roots, at: Self.now) == roots.count)
            }
            // An open challenge on a 95-day-old root: its answer is checked against that root.
            try await commitments.insertChallenge(
                Self.challenge("open-1", school: "KZ-PRU-0001", back: 95, issued: Self.now.addingTimeInterval(-60)))

            let deleted = try await Self.pruner(store, batch: 3).prune()
            // Days 200, 120, 95, 91 of 2 cameras × 2 schools, but cam-1's day 95 of school 1.
            #expect(deleted[.dayRoots] == 15)
            for school in ["KZ-PRU-0001", "KZ-PRU-0002"] {
                let kept = try await commitments.dayRoots(
                    schoolID: school, from: UTCDay(number: 0), before: Self.today)
                let expected = ["cam-1", "cam-2"].flatMap { camera in
                    [95, 90, 89, 30, 1].filter { $0 != 95 || (school == "KZ-PRU-0001" && camera == "cam-1") }.map {
                        "\(camera)/\(Self.today.number - $0)"
                    }
                }
                #expect(kept.map { "\($0.camera)/\($0.day.number)" }.sorted() == expected.sorted())
            }
            #expect(try await Self.pruner(store).prune()[.dayRoots] == 0)
            // Once the challenge is answered, its root goes too.
            _ = try await commitments.resolveChallenge(
                "open-1", schoolID: "KZ-PRU-0001", outcome: .proven, at: Self.now)
            #expect(try await Self.pruner(store).prune()[.dayRoots] == 1)
        }
    }

    @Test(
        "challenges older than the keep period go but each school's newest failed one, and the report and flags are unchanged",
        arguments: StoreKind.allCases)
    func oldChallengesGoAndTheReportStays(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let commitments = try #require(store as? any CommitmentStore)
            for (school, region) in [("KZ-PRU-0011", "Almaty"), ("KZ-PRU-0012", "Astana")] {
                try await store.register(SchoolRegistration(id: school, name: nil, region: region), at: Self.ago(400))
                var proof = RetentionProof(schoolID: school)
                proof.provenAt = Self.ago(2)
                proof.provenBackTo = UTCDay(number: Self.today.number - 25)
                if school == "KZ-PRU-0012" {
                    proof.unprovenSince = Self.ago(150)
                    proof.unprovenReason = "cam-1 day 2026-05-01 segment 3: chunk changed"
                }
                try await commitments.updateRetentionProof(proof)
            }
            // School 12: failed 150 and 120 days ago (the newer is asked again), proven 100 and 3 days ago.
            let history: [(String, String, Double, ChallengeOutcome?)] = [
                ("c1", "KZ-PRU-0011", 300, .proven), ("c2", "KZ-PRU-0011", 95, .failed(reason: "late")),
                ("c3", "KZ-PRU-0011", 91, .proven), ("c4", "KZ-PRU-0011", 5, .proven),
                ("c5", "KZ-PRU-0011", 100, nil),
                ("c6", "KZ-PRU-0012", 150, .failed(reason: "chunk changed")),
                ("c7", "KZ-PRU-0012", 120, .failed(reason: "chunk changed")),
                ("c8", "KZ-PRU-0012", 100, .proven), ("c9", "KZ-PRU-0012", 3, .proven),
            ]
            for (id, school, back, outcome) in history {
                try await commitments.insertChallenge(
                    Self.challenge(id, school: school, back: Int(back) + 1, issued: Self.ago(back)))
                if let outcome {
                    _ = try await commitments.resolveChallenge(
                        id, schoolID: school, outcome: outcome, at: Self.ago(back).addingTimeInterval(600))
                }
            }
            let policy = FlagPolicy()
            let reportBefore = try await store.report(region: nil, at: Self.now, policy: policy)
            let provenBefore = try await commitments.provenSchools(since: Self.ago(7))
            let failedBefore = try await commitments.lastFailedChallenge(schoolID: "KZ-PRU-0012")
            let proofsBefore = [
                try await commitments.retentionProof(schoolID: "KZ-PRU-0011"),
                try await commitments.retentionProof(schoolID: "KZ-PRU-0012"),
            ]
            let schoolBefore = try await store.school(id: "KZ-PRU-0012")

            let deleted = try await Self.pruner(store, batch: 2).prune()
            #expect(
                deleted[.challenges] == 5, "c1, c3, c5, c6, c8 should go; c2 and c7 are their schools' newest failures")

            #expect(try await store.report(region: nil, at: Self.now, policy: policy) == reportBefore)
            #expect(try await commitments.provenSchools(since: Self.ago(7)) == provenBefore)
            #expect(try await commitments.lastFailedChallenge(schoolID: "KZ-PRU-0012") == failedBefore)
            #expect(failedBefore?.id == "c7")
            #expect(try await commitments.lastFailedChallenge(schoolID: "KZ-PRU-0011")?.id == "c2")
            #expect(try await commitments.retentionProof(schoolID: "KZ-PRU-0011") == proofsBefore[0])
            #expect(try await commitments.retentionProof(schoolID: "KZ-PRU-0012") == proofsBefore[1])
            let schoolAfter = try await store.school(id: "KZ-PRU-0012")
            #expect(schoolAfter?.conditionFlags == schoolBefore?.conditionFlags)
            #expect(schoolAfter?.conditionFlags.map(\.flag).contains(.retentionUnproven) == true)
            #expect(try await Self.pruner(store).prune()[.challenges] == 0)
        }
    }

    @Test(
        "commands go 90 days after their last update, those with evidence and the audit log after three years",
        arguments: StoreKind.allCases)
    func commandsAndTheAuditLogGoAfterTheirPeriods(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            /// A command as the registry makes it, then done (a clip with its evidence) two minutes later.
            func command(_ id: String, back: Double, evidence: Bool) async throws {
                let issued = Self.ago(back)
                try await store.insertCommand(
                    PoliceCommand(
                        id: id, schoolID: "KZ-PRU-0021", kind: evidence ? .clip : .live, camera: "cam-1",
                        durationSeconds: evidence ? nil : 60, from: evidence ? issued.addingTimeInterval(-600) : nil,
                        to: evidence ? issued : nil, issuedAt: issued, expiresAt: issued.addingTimeInterval(900),
                        issuedBy: "operator/Almaty"))
                let done = try await store.updateCommand(
                    id: id, state: .done, message: nil, bytes: evidence ? 1000 : nil,
                    evidence: evidence
                        ? .init(sha256: String(repeating: "ab", count: 32), bytes: 1000, receivedAt: issued) : nil,
                    at: issued.addingTimeInterval(120))
                #expect(done)
            }
            let commands = ["live-old": 120.0, "live-young": 60, "clip-old": 1200, "clip-kept": 120]
            for (id, back) in commands { try await command(id, back: back, evidence: id.hasPrefix("clip")) }
            for back in [2000.0, 1100, 1000, 10] {
                try await store.appendAudit(
                    AuditEntry(
                        at: Self.ago(back), actor: "operator/Almaty", action: "command", schoolID: "KZ-PRU-0021",
                        commandID: nil, detail: "live cam-1", outcome: "accepted"))
            }
            let deleted = try await Self.pruner(store, batch: 1).prune()
            #expect(deleted[.commands] == 1)
            #expect(deleted[.evidenceCommands] == 1)
            #expect(deleted[.audit] == 2)
            for id in commands.keys {
                let kept = try await store.command(id: id) != nil
                #expect(kept == ["live-young", "clip-kept"].contains(id), "\(id)")
            }
            let audit = try await store.audit(since: Date(timeIntervalSince1970: 0), limit: 10)
            #expect(audit.map(\.at).sorted() == [Self.ago(1000), Self.ago(10)])
        }
    }

    @Test(
        "serve refuses an audit log kept 0 days and day roots kept less than the minimum retention, naming what to give"
    )
    func serveRefusesKeepPeriodsThatLoseWhatIsNeeded() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-prune-flags")
        let base = ["serve", "--listen", "127.0.0.1:0", "--database", "sqlite:\(directory.file("r.sqlite"))"]
        let audit = try RegistryExecutable.run(base + ["--keep-audit-days", "0"])
        #expect(audit.status == 2)
        #expect(audit.output.contains("--keep-audit-days: 0 — give 365…36500"))
        let roots = try RegistryExecutable.run(base + ["--keep-day-roots-days", "20"])
        #expect(roots.status == 2)
        #expect(roots.output.contains("--keep-day-roots-days: 20 — give 30…36500"))
    }
}
