import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetCommitment
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import Testing

@testable import KuzetRegistry

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

    /// Issue 21's records of `school`, pinned key, 2 cameras × 3 days of day roots, an open and a
    /// failed challenge, a retention proof, a command in every state and an audit entry.
    func storeProvableRetentionAndCommands(
        _ school: String, store: any RegistryStore, commitments: any CommitmentStore
    ) async throws {
        let today = UTCDay(start)
        try await store.register(SchoolRegistration(id: school, name: nil, region: "Astana"), at: start)
        try await commitments.pinDeviceKey(
            schoolID: school, key: DevicePublicKey(Curve25519.Signing.PrivateKey().publicKey), at: start)
        let roots = ["cam-1", "cam-2"].flatMap { camera in
            (1...3).map { back in
                StoredDayRoot(
                    camera: camera, day: UTCDay(number: today.number - back), segments: 24,
                    root: CommittedSchool.randomBytes(32), signature: CommittedSchool.randomBytes(64))
            }
        }
        #expect(try await commitments.storeDayRoots(schoolID: school, roots, at: start) == 6)
        for id in ["open", "failed"] {
            try await commitments.insertChallenge(
                StoredChallenge(
                    id: "\(school)-\(id)", schoolID: school, camera: "cam-1", day: UTCDay(number: today.number - 2),
                    segmentIndex: 1, chunkNonce: 7, issuedAt: start, expiresAt: start.addingTimeInterval(1800)))
        }
        #expect(
            try await commitments.resolveChallenge(
                "\(school)-failed", schoolID: school, outcome: .failed(reason: "late"), at: start.addingTimeInterval(60)
            ))
        var proof = RetentionProof(schoolID: school)
        proof.unprovenSince = start.addingTimeInterval(60)
        proof.unprovenReason = "late"
        proof.nextChallengeAt = start.addingTimeInterval(3600)
        try await commitments.updateRetentionProof(proof)
        for state in PoliceCommand.State.allCases {
            try await store.insertCommand(
                PoliceCommand(
                    id: "\(school)-\(state.rawValue)", schoolID: school, kind: .live, camera: "cam-1",
                    durationSeconds: 60, issuedAt: start, expiresAt: start.addingTimeInterval(900),
                    issuedBy: "operator/Astana", state: state))
        }
        try await store.appendAudit(
            AuditEntry(
                at: start, actor: "operator/Astana", action: "command", schoolID: school,
                commandID: "\(school)-done", detail: "live cam-1", outcome: "accepted"))
    }

    /// What the stores hold of `school` that removal is to forget or keep.
    func records(_ school: String, store: any RegistryStore, commitments: any CommitmentStore) async throws -> String {
        let roots = try await commitments.dayRoots(
            schoolID: school, from: UTCDay(number: 0), before: UTCDay(number: UTCDay(start).number + 1))
        let commands = try await store.commands(schoolID: school, limit: 100).map(\.id).sorted()
        let audit = try await store.audit(since: Date(timeIntervalSince1970: 0), limit: 100).filter {
            $0.schoolID == school
        }
        return """
            key: \(try await commitments.deviceKey(schoolID: school)?.base64 ?? "none")
            roots: \(roots.map { "\($0.camera)/\($0.day)/\($0.root.base64EncodedString())" })
            open: \(try await commitments.openChallenges(schoolID: school).map(\.id))
            failed: \(try await commitments.lastFailedChallenge(schoolID: school)?.id ?? "none")
            proof: \(String(describing: try await commitments.retentionProof(schoolID: school)))
            commands: \(commands)
            audit: \(audit.map { "\($0.at) \($0.commandID ?? "-")" })
            """
    }

    @Test(
        "its device key, day roots, challenges, retention proof and unfinished commands go with it; its finished commands, the audit log and another school's records stay",
        arguments: StoreKind.allCases)
    func removalForgetsProvableRetentionAndUnfinishedCommands(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let commitments = try #require(store as? any CommitmentStore)
            let (gone, kept) = ("KZ-RM-0011", "KZ-RM-0012")
            for school in [gone, kept] {
                try await storeProvableRetentionAndCommands(school, store: store, commitments: commitments)
            }
            let keptBefore = try await records(kept, store: store, commitments: commitments)

            let removal = try await store.removeSchool(id: gone)
            #expect(
                removal
                    == SchoolRemoval(
                        tokens: 0, heartbeats: 0, deviceKeys: 1, dayRoots: 6, challenges: 2, retentionProofs: 1,
                        unfinishedCommands: 3, finishedCommandsKept: 4))
            let goneAfter = try await records(gone, store: store, commitments: commitments)
            #expect(
                goneAfter == """
                    key: none
                    roots: []
                    open: []
                    failed: none
                    proof: nil
                    commands: ["\(gone)-done", "\(gone)-expired", "\(gone)-failed", "\(gone)-refused"]
                    audit: ["\(start) \(gone)-done"]
                    """)
            #expect(try await records(kept, store: store, commitments: commitments) == keptBefore)
            #expect(keptBefore.contains("key: none") == false && keptBefore.contains("\(kept)-pending"))
        }
    }

    @Test(
        "registered again, the id pins the replacement box's key on its first heartbeat, with none of the old box's challenges",
        arguments: StoreKind.allCases)
    func registeredAgainPinsTheReplacementKey(kind: StoreKind) async throws {
        let old = try CommittedSchool(Sample(schoolID: "KZ-RM-0021", cameras: 1), days: 2, now: start)
        let replacement = try CommittedSchool(Sample(schoolID: "KZ-RM-0021", cameras: 1), days: 2, now: start)
        try await withRegistry(kind) { registry in
            let store = try #require(registry.store as? any CommitmentStore)
            let admin = try await registry.token(Principal(role: .admin))
            let token = try await registry.schoolToken(old.schoolID, region: "Astana")
            let first = try await registry.postSigned(
                old.heartbeat(1, at: registry.clock.date, dayRoots: try old.dayRoots()), token: token, signer: old.key)
            #expect(first.status == .ok, "\(first.text)")
            let planted = try await registry.plantChallenge(
                old.schoolID, admin: admin, camera: "cam-1", day: CommitmentTime.day(start.addingTimeInterval(-86_400)),
                segment: 0)
            try await registry.store.insertCommand(
                PoliceCommand(
                    id: "cmd-rm-0021", schoolID: old.schoolID, kind: .snapshot, camera: "cam-1", issuedAt: start,
                    expiresAt: start.addingTimeInterval(900), issuedBy: "operator/Astana"))
            #expect(try await store.deviceKey(schoolID: old.schoolID)?.base64 == old.publicKey.base64)

            #expect(
                try await registry.store.removeSchool(id: old.schoolID)
                    == SchoolRemoval(
                        tokens: 1, heartbeats: 1, deviceKeys: 1, dayRoots: 2, challenges: 1, retentionProofs: 1,
                        unfinishedCommands: 1, finishedCommandsKept: 0))

            let again = try await registry.schoolToken(old.schoolID, region: "Astana")
            registry.clock.advance(by: 60)
            let pinned = try await registry.postSigned(
                replacement.heartbeat(1, at: registry.clock.date, dayRoots: try replacement.dayRoots()), token: again,
                signer: replacement.key)
            #expect(pinned.status == .ok, "\(pinned.text)")
            #expect(try await store.deviceKey(schoolID: old.schoolID)?.base64 == replacement.publicKey.base64)
            #expect(pinned.challenges.map(\.id).contains(planted.id) == false, "\(pinned.text)")
            #expect(try await store.openChallenges(schoolID: old.schoolID).isEmpty)
            let roots = try await store.dayRoots(
                schoolID: old.schoolID, from: UTCDay(number: 0), before: UTCDay(registry.clock.date))
            #expect(
                roots.compactMap { MerkleHash(bytes: Array($0.root))?.hex }.sorted()
                    == (try replacement.dayRoots()).map(\.root).sorted(),
                "the replacement box's day roots, not the old box's")
            #expect(try await registry.store.pendingCommands(schoolID: old.schoolID, at: start, limit: 10).isEmpty)
            registry.clock.advance(by: 30)
            let stranger = try await registry.postSigned(
                old.heartbeat(2, at: registry.clock.date), token: again, signer: old.key)
            #expect(stranger.status == .forbidden, "the old box is now the stranger: \(stranger.text)")
        }
    }

    @Test(
        "the old box's heartbeat, reaching an instance that still remembers the removed school's token, is refused and pins no key",
        arguments: StoreKind.allCases)
    func aLateHeartbeatPinsNoKey(kind: StoreKind) async throws {
        let old = try CommittedSchool(Sample(schoolID: "KZ-RM-0031", cameras: 1), days: 1, now: start)
        try await withRegistry(kind, tokenCheckInterval: 3600) { registry in
            let store = try #require(registry.store as? any CommitmentStore)
            let token = try await registry.schoolToken(old.schoolID, region: "Astana")
            #expect(
                try await registry.postSigned(old.heartbeat(1, at: registry.clock.date), token: token, signer: old.key)
                    .status == .ok)
            #expect(try await registry.store.removeSchool(id: old.schoolID)?.deviceKeys == 1)

            registry.clock.advance(by: 30)
            let late = try await registry.postSigned(
                old.heartbeat(2, at: registry.clock.date), token: token, signer: old.key)
            #expect(late.status == .unauthorized && late.text.contains("school_removed"), "\(late.text)")
            #expect(try await store.deviceKey(schoolID: old.schoolID) == nil)
        }
    }

    @Test(
        "what a request already past ingest writes after the removal (key, day roots, challenge, proof) is dropped until the school is registered again",
        arguments: StoreKind.allCases)
    func writesAfterTheRemovalAreDropped(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let commitments = try #require(store as? any CommitmentStore)
            let school = "KZ-RM-0041"
            try await storeProvableRetentionAndCommands(school, store: store, commitments: commitments)
            #expect(try await store.removeSchool(id: school)?.deviceKeys == 1)

            /// What `RetentionProofs` writes for one request: pins, keeps roots, issues, records.
            func writeAsARequestWould() async throws -> Int {
                try await commitments.pinDeviceKey(
                    schoolID: school, key: DevicePublicKey(Curve25519.Signing.PrivateKey().publicKey), at: start)
                let stored = try await commitments.storeDayRoots(
                    schoolID: school,
                    [
                        StoredDayRoot(
                            camera: "cam-1", day: UTCDay(number: UTCDay(start).number - 1), segments: 24,
                            root: CommittedSchool.randomBytes(32), signature: CommittedSchool.randomBytes(64))
                    ], at: start)
                try await commitments.insertChallenge(
                    StoredChallenge(
                        id: "late-\(stored)-\(UInt32.random(in: 0 ... .max))", schoolID: school, camera: "cam-1",
                        day: UTCDay(number: UTCDay(start).number - 1), segmentIndex: 0, chunkNonce: 1, issuedAt: start,
                        expiresAt: start.addingTimeInterval(1800)))
                var proof = RetentionProof(schoolID: school)
                proof.unprovenSince = start
                proof.unprovenReason = "late"
                try await commitments.updateRetentionProof(proof)
                return stored
            }
            #expect(try await writeAsARequestWould() == 0)
            #expect(
                try await records(school, store: store, commitments: commitments) == """
                    key: none
                    roots: []
                    open: []
                    failed: none
                    proof: nil
                    commands: ["\(school)-done", "\(school)-expired", "\(school)-failed", "\(school)-refused"]
                    audit: ["\(start) \(school)-done"]
                    """)

            try await store.register(SchoolRegistration(id: school, name: nil, region: "Astana"), at: start)
            #expect(try await writeAsARequestWould() == 1)
            #expect(try await commitments.deviceKey(schoolID: school) != nil)
            #expect(try await commitments.openChallenges(schoolID: school).count == 1)
            #expect(try await commitments.retentionProof(schoolID: school)?.unprovenReason == "late")
        }
    }
}
