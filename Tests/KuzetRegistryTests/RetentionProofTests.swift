import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetCommitment
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// Issue 21 on the registry's side, against a live registry over real SQLite and PostgreSQL: the
/// device key pinned, signed day roots kept, challenges answered from real files through the
/// agent's commitment code, and the flags a changed file, a deleted day or a new key raise.
@Suite("Retention proof", .serialized, .timeLimit(.minutes(4)))
struct RetentionProofTests {
    /// The test registry's clock at its start (`ManualNow`); the files are written before the
    /// registry opens its connection (their writing outlasted its header deadline).
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Registries challenging every `seconds` on average.
    static func challengeEvery(_ seconds: TimeInterval) -> @Sendable (inout Registry) -> Void {
        { $0.retentionProofs.challengeInterval = seconds }
    }

    /// Registries whose own challenges come at the end of each range, not at random: the first one
    /// `seconds` after the school's first heartbeat, each next one 1.5 × `seconds` after the last.
    /// (At random, a test's planted challenges met the registry's own in about 1 run in 10.)
    static func challengeExactly(every seconds: TimeInterval) -> @Sendable (inout Registry) -> Void {
        {
            $0.retentionProofs.challengeInterval = seconds
            $0.retentionProofs.placement = { $0.upperBound }
        }
    }

    /// Registries that issue only the challenges a test plants within its hours.
    static let plantedOnly = challengeExactly(every: 30 * 86_400)

    static func days(_ registry: TestRegistry, back: Int) -> String {
        CommitmentTime.day(registry.clock.date.addingTimeInterval(-Double(back) * 86_400))
    }

    /// The school's flags as `GET /api/v1/schools/{id}` shows them.
    static func flags(_ registry: TestRegistry, _ school: String, admin: String) async throws -> [String] {
        let detail = try await registry.getJSON("/api/v1/schools/\(school)", token: admin)
        let summary = detail["school"] as? [String: Any] ?? [:]
        return (summary["flags"] as? [[String: Any]] ?? []).compactMap { $0["flag"] as? String }
    }

    static func proof(_ registry: TestRegistry, _ school: String, admin: String) async throws -> [String: Any] {
        try await registry.getJSON("/api/v1/schools/\(school)", token: admin)["retention_proof"] as? [String: Any]
            ?? [:]
    }

    @Test(
        "the first key is pinned and each camera's signed day roots are kept; they verify with the pinned key",
        arguments: StoreKind.allCases)
    func dayRootsAreStoredAndVerify(kind: StoreKind) async throws {
        let school = try CommittedSchool(Sample(schoolID: "KZ-PRF-0001"), days: 3, now: Self.start)
        try await withRegistry(kind, configure: Self.plantedOnly) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            let response = try await registry.postSigned(
                school.heartbeat(1, at: registry.clock.date, dayRoots: try school.dayRoots()), token: token,
                signer: school.key)
            #expect(response.status == .ok, "\(response.text)")

            let store = try #require(registry.store as? any CommitmentStore)
            let pinned = try #require(try await store.deviceKey(schoolID: school.schoolID))
            #expect(pinned.base64 == school.publicKey.base64)
            let today = UTCDay(registry.clock.date)
            let roots = try await store.dayRoots(
                schoolID: school.schoolID, from: UTCDay(number: today.number - 10), before: today)
            #expect(roots.count == 6) // 2 cameras × 3 days
            #expect(Set(roots.map(\.camera)) == ["cam-1", "cam-2"])
            for root in roots {
                let statement = DayRootStatement(
                    schoolID: school.schoolID, camera: root.camera, day: root.day.description,
                    segmentCount: root.segments, root: try #require(MerkleHash(bytes: Array(root.root))))
                #expect(statement.isSigned(root.signature.base64EncodedString(), by: pinned.key))
                #expect(root.root.count + root.signature.count == 96)
            }
        }
    }

    @Test("a day root not signed by the pinned key is not kept", arguments: StoreKind.allCases)
    func aDayRootSignedByAnotherKeyIsNotKept(kind: StoreKind) async throws {
        let school = try CommittedSchool(
            Sample(schoolID: "KZ-PRF-0002", cameras: 1), days: 2, now: Self.start)
        try await withRegistry(kind, configure: Self.plantedOnly) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            var roots = try school.dayRoots()
            roots[0].signature = try school.dayRoots(signedBy: Curve25519.Signing.PrivateKey())[0].signature
            let response = try await registry.postSigned(
                school.heartbeat(1, at: registry.clock.date, dayRoots: roots), token: token, signer: school.key)
            #expect(response.status == .ok)
            let store = try #require(registry.store as? any CommitmentStore)
            let today = UTCDay(registry.clock.date)
            let kept = try await store.dayRoots(
                schoolID: school.schoolID, from: UTCDay(number: today.number - 10), before: today)
            #expect(kept.map(\.day.description) == [roots[1].day])
        }
    }

    @Test(
        "20 challenges over 30 days of footage: all answered from the files and proven", arguments: StoreKind.allCases)
    func twentyChallengesAreProven(kind: StoreKind) async throws {
        let school = try CommittedSchool(
            Sample(schoolID: "KZ-PRF-0003"), days: 30, bytes: 200_000, now: Self.start)
        try await withRegistry(kind, configure: Self.plantedOnly) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            let admin = try await registry.token(Principal(role: .admin))
            var sequence: UInt64 = 1
            _ = try await registry.postSigned(
                school.heartbeat(sequence, at: registry.clock.date, dayRoots: try school.dayRoots()), token: token,
                signer: school.key)
            var answered = 0
            for round in 0..<20 {
                let camera = "cam-\(round % 2 + 1)"
                let planted = try await registry.plantChallenge(
                    school.schoolID, admin: admin, camera: camera, day: Self.days(registry, back: 1 + round % 30),
                    segment: round % 2)
                registry.clock.advance(by: 30)
                sequence += 1
                let receipt = try await registry.postSigned(
                    school.heartbeat(sequence, at: registry.clock.date), token: token, signer: school.key)
                let challenge = try #require(receipt.challenges.first { $0.id == planted.id })
                registry.clock.advance(by: 30)
                sequence += 1
                let answer = school.answer(challenge)
                #expect(answer.status == .ok)
                let response = try await registry.postSigned(
                    school.heartbeat(sequence, at: registry.clock.date, answers: [answer]), token: token,
                    signer: school.key)
                #expect(response.status == .ok)
                #expect(!response.challenges.contains { $0.id == planted.id })
                answered += 1
            }
            #expect(answered == 20)
            #expect(
                try await Self.flags(registry, school.schoolID, admin: admin).contains("RETENTION_UNPROVEN") == false)
            let proof = try await Self.proof(registry, school.schoolID, admin: admin)
            #expect(proof["proven_at"] != nil)
            #expect(proof["proven_back_to"] as? String == Self.days(registry, back: 20)) // the oldest day asked
            #expect(proof["open_challenges"] as? Int == 0)
            let report = try await registry.getJSON("/api/v1/report", token: admin)
            #expect((report["total"] as? [String: Any])?["retention_proven"] as? Int == 1)
        }
    }

    @Test(
        "one byte flipped in a 20-day-old segment: the challenge on it fails, RETENTION_UNPROVEN, and it is asked again",
        arguments: StoreKind.allCases)
    func aFlippedByteIsFlagged(kind: StoreKind) async throws {
        let school = try CommittedSchool(Sample(schoolID: "KZ-PRF-0004"), days: 25, now: Self.start)
        // The registry's own first challenge comes 600 s after the first heartbeat: after the
        // planted one is answered, before the hour the test then lets pass.
        try await withRegistry(kind, configure: Self.challengeExactly(every: 600)) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            let admin = try await registry.token(Principal(role: .admin))
            _ = try await registry.postSigned(
                school.heartbeat(1, at: registry.clock.date, dayRoots: try school.dayRoots()), token: token,
                signer: school.key)
            let day = Self.days(registry, back: 20)
            let file = school.file(camera: "cam-2", day: day, segment: 1)
            var bytes = try Data(contentsOf: file)
            bytes[123_456] ^= 0x01
            try bytes.write(to: file)

            let planted = try await registry.plantChallenge(
                school.schoolID, admin: admin, camera: "cam-2", day: day, segment: 1)
            registry.clock.advance(by: 30)
            let receipt = try await registry.postSigned(
                school.heartbeat(2, at: registry.clock.date), token: token, signer: school.key)
            let challenge = try #require(receipt.challenges.first { $0.id == planted.id })
            registry.clock.advance(by: 30)
            _ = try await registry.postSigned(
                school.heartbeat(3, at: registry.clock.date, answers: [school.answer(challenge)]), token: token,
                signer: school.key)
            #expect(try await Self.flags(registry, school.schoolID, admin: admin).contains("RETENTION_UNPROVEN"))
            let reason = try await Self.proof(registry, school.schoolID, admin: admin)["unproven_reason"] as? String
            #expect(reason?.contains("camera cam-2 day \(day) segment 1") == true, "\(reason ?? "nil")")
            let listed = try await registry.getJSON("/api/v1/schools?flag=RETENTION_UNPROVEN", token: admin)
            #expect(listed["total"] as? Int == 1)

            // The next scheduled challenge asks for the same chunk again, and it fails again.
            registry.clock.advance(by: 3600)
            let next = try await registry.postSigned(
                school.heartbeat(4, at: registry.clock.date), token: token, signer: school.key)
            let again = try #require(next.challenges.first)
            #expect(again.camera == "cam-2" && again.day == day && again.segmentIndex == 1)
            #expect(again.chunkNonce == challenge.chunkNonce && again.id != challenge.id)
            registry.clock.advance(by: 30)
            _ = try await registry.postSigned(
                school.heartbeat(5, at: registry.clock.date, answers: [school.answer(again)]), token: token,
                signer: school.key)
            #expect(try await Self.flags(registry, school.schoolID, admin: admin).contains("RETENTION_UNPROVEN"))
        }
    }

    @Test("a day of old footage deleted while the facts still claim 30 days: flagged", arguments: StoreKind.allCases)
    func aDeletedClaimedDayIsFlagged(kind: StoreKind) async throws {
        let school = try CommittedSchool(
            Sample(schoolID: "KZ-PRF-0005", cameras: 1), days: 15, now: Self.start)
        try await withRegistry(kind, configure: Self.plantedOnly) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            let admin = try await registry.token(Principal(role: .admin))
            _ = try await registry.postSigned(
                school.heartbeat(1, at: registry.clock.date, dayRoots: try school.dayRoots()), token: token,
                signer: school.key)
            let day = Self.days(registry, back: 10)
            for segment in 0..<2 {
                try FileManager.default.removeItem(at: school.file(camera: "cam-1", day: day, segment: segment))
            }

            let planted = try await registry.plantChallenge(
                school.schoolID, admin: admin, camera: "cam-1", day: day, segment: 0)
            registry.clock.advance(by: 30)
            let receipt = try await registry.postSigned(
                school.heartbeat(2, at: registry.clock.date), token: token, signer: school.key)
            let challenge = try #require(receipt.challenges.first { $0.id == planted.id })
            let answer = school.answer(challenge)
            #expect(answer.status == .expired)
            registry.clock.advance(by: 30)
            _ = try await registry.postSigned(
                school.heartbeat(3, at: registry.clock.date, answers: [answer]), token: token, signer: school.key)
            #expect(try await Self.flags(registry, school.schoolID, admin: admin).contains("RETENTION_UNPROVEN"))
            let reason = try await Self.proof(registry, school.schoolID, admin: admin)["unproven_reason"] as? String
            #expect(
                reason?.contains("answered expired, but the camera claims footage from") == true, "\(reason ?? "nil")")
        }
    }

    @Test(
        "footage deleted before the claimed oldest footage answers expired: no false alarm",
        arguments: StoreKind.allCases)
    func honestDeletionIsNoAlarm(kind: StoreKind) async throws {
        // The agent claims 5 days; the day 10 days back was deleted by retention, honestly.
        let school = try CommittedSchool(
            Sample(schoolID: "KZ-PRF-0006", cameras: 1, retentionDays: 5), days: 12, now: Self.start)
        try await withRegistry(kind, configure: Self.plantedOnly) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            let admin = try await registry.token(Principal(role: .admin))
            _ = try await registry.postSigned(
                school.heartbeat(1, at: registry.clock.date, dayRoots: try school.dayRoots()), token: token,
                signer: school.key)
            let day = Self.days(registry, back: 10)
            try FileManager.default.removeItem(at: school.file(camera: "cam-1", day: day, segment: 1))
            let planted = try await registry.plantChallenge(
                school.schoolID, admin: admin, camera: "cam-1", day: day, segment: 1)
            registry.clock.advance(by: 30)
            let receipt = try await registry.postSigned(
                school.heartbeat(2, at: registry.clock.date), token: token, signer: school.key)
            let challenge = try #require(receipt.challenges.first { $0.id == planted.id })
            registry.clock.advance(by: 30)
            _ = try await registry.postSigned(
                school.heartbeat(3, at: registry.clock.date, answers: [school.answer(challenge)]), token: token,
                signer: school.key)
            #expect(
                try await Self.flags(registry, school.schoolID, admin: admin).contains("RETENTION_UNPROVEN") == false)
            #expect(try await Self.proof(registry, school.schoolID, admin: admin)["open_challenges"] as? Int == 0)
        }
    }

    @Test("a challenge not answered by its expiry: RETENTION_UNPROVEN", arguments: StoreKind.allCases)
    func anUnansweredChallengeIsFlagged(kind: StoreKind) async throws {
        let school = try CommittedSchool(
            Sample(schoolID: "KZ-PRF-0007", cameras: 1), days: 3, now: Self.start)
        try await withRegistry(kind, configure: Self.plantedOnly) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            let admin = try await registry.token(Principal(role: .admin))
            _ = try await registry.postSigned(
                school.heartbeat(1, at: registry.clock.date, dayRoots: try school.dayRoots()), token: token,
                signer: school.key)
            _ = try await registry.plantChallenge(
                school.schoolID, admin: admin, camera: "cam-1", day: Self.days(registry, back: 2), segment: 0)
            registry.clock.advance(by: 30)
            _ = try await registry.postSigned(
                school.heartbeat(2, at: registry.clock.date), token: token, signer: school.key)
            #expect(
                try await Self.flags(registry, school.schoolID, admin: admin).contains("RETENTION_UNPROVEN") == false)
            registry.clock.advance(by: 31 * 60)
            _ = try await registry.postSigned(
                school.heartbeat(3, at: registry.clock.date), token: token, signer: school.key)
            #expect(try await Self.flags(registry, school.schoolID, admin: admin).contains("RETENTION_UNPROVEN"))
            let reason = try await Self.proof(registry, school.schoolID, admin: admin)["unproven_reason"] as? String
            #expect(reason?.contains("not answered by") == true)
        }
    }

    @Test(
        "random challenges ask only for days held signed, after the claimed oldest footage's day and before today",
        arguments: StoreKind.allCases)
    func randomChallengesStayInsideTheClaim(kind: StoreKind) async throws {
        // Roots for 20 days; the agent claims 7.
        let school = try CommittedSchool(
            Sample(schoolID: "KZ-PRF-0008", retentionDays: 7), days: 20, segmentsPerDay: 3, bytes: 10_000,
            now: Self.start)
        try await withRegistry(kind, configure: Self.challengeEvery(120)) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            _ = try await registry.postSigned(
                school.heartbeat(1, at: registry.clock.date, dayRoots: try school.dayRoots()), token: token,
                signer: school.key)
            var seen: [RetentionChallenge] = []
            for sequence in UInt64(2)...60 {
                registry.clock.advance(by: 60)
                let receipt = try await registry.postSigned(
                    school.heartbeat(sequence, at: registry.clock.date, answers: seen.isEmpty ? nil : nil),
                    token: token,
                    signer: school.key)
                for challenge in receipt.challenges where !seen.contains(where: { $0.id == challenge.id }) {
                    seen.append(challenge)
                }
            }
            #expect(seen.count >= 4)
            let today = UTCDay(registry.clock.date)
            let floor = UTCDay(registry.clock.date.addingTimeInterval(-7 * 86_400))
            for challenge in seen {
                let day = try #require(UTCDay(parsing: challenge.day))
                #expect(day > floor && day < today, "\(challenge.day)")
                #expect((0..<3).contains(challenge.segmentIndex))
            }
        }
    }

    @Test(
        "a replaced box's key is refused and flagged until `school rekey`; then its key is pinned",
        arguments: StoreKind.allCases)
    func aReplacedKeyIsRefusedUntilRekey(kind: StoreKind) async throws {
        let school = try CommittedSchool(
            Sample(schoolID: "KZ-PRF-0009", cameras: 1), days: 1, now: Self.start)
        try await withRegistry(kind, configure: Self.plantedOnly) { registry in
            let token = try await registry.schoolToken(school.schoolID)
            let admin = try await registry.token(Principal(role: .admin))
            #expect(
                try await registry.postSigned(
                    school.heartbeat(1, at: registry.clock.date), token: token, signer: school.key
                )
                .status == .ok)

            let newBox = Curve25519.Signing.PrivateKey()
            let newKey = DevicePublicKey(newBox.publicKey)
            registry.clock.advance(by: 30)
            let refused = try await registry.postSigned(
                school.heartbeat(2, at: registry.clock.date, deviceKey: newKey), token: token, signer: newBox)
            #expect(refused.status == .forbidden)
            #expect(
                refused.json["code"] as? String == "device_key_mismatch" || refused.text.contains("device_key_mismatch")
            )
            let unsigned = try await registry.postSigned(
                school.heartbeat(3, at: registry.clock.date), token: token, signer: nil)
            #expect(unsigned.status == .forbidden)
            #expect(try await Self.flags(registry, school.schoolID, admin: admin).contains("DEVICE_KEY_MISMATCH"))
            let listed = try await registry.getJSON("/api/v1/schools?flag=DEVICE_KEY_MISMATCH", token: admin)
            #expect(listed["total"] as? Int == 1)

            let store = try #require(registry.store as? any CommitmentStore)
            #expect(try await store.requestRekey(schoolID: school.schoolID, at: registry.clock.date))
            registry.clock.advance(by: 30)
            let accepted = try await registry.postSigned(
                school.heartbeat(4, at: registry.clock.date, deviceKey: newKey), token: token, signer: newBox)
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(try await store.deviceKey(schoolID: school.schoolID)?.base64 == newKey.base64)
            #expect(
                try await Self.flags(registry, school.schoolID, admin: admin).contains("DEVICE_KEY_MISMATCH") == false)
            // The old box is now the stranger.
            registry.clock.advance(by: 30)
            #expect(
                try await registry.postSigned(
                    school.heartbeat(5, at: registry.clock.date), token: token, signer: school.key
                )
                .status == .forbidden)
        }
    }
}
