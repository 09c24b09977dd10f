import Foundation
import HTTPTypes
import KuzetCommitment
import KuzetProtocol
import Logging

/// Issue 21 on the registry's side: pins each school's device key, keeps its signed day roots,
/// challenges it at random times for a chunk of a day it still claims, checks the answers, and
/// records when retention was last proven (`docs/provable-retention.md`).
public struct RetentionProofs: Sendable {
    /// Schools are challenged on average this often (`serve --challenge-interval`), at random times
    /// between half and one and a half of it.
    public var challengeInterval: TimeInterval = 6 * 3600
    /// Where in its range the next challenge falls: the first at 0…1 of an interval after a
    /// school's first signed heartbeat, each next one at 0.5…1.5 after the last. Random; a test
    /// fixes it to know when the registry's own challenge comes.
    public var placement: @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    /// How long an agent has to answer a challenge before it counts as failed.
    public var answerWindow: TimeInterval = 30 * 60
    /// Challenges open at once per school (the receipt carries at most this many).
    public static let maximumOpen = 4
    /// Day roots looked at when choosing a challenge: the last 400 days.
    static let lookBackDays = 400
    /// The request header carrying the Ed25519 signature over the body.
    public static let signatureField = HTTPField.Name("Kuzet-Signature")!

    let store: (any CommitmentStore)?
    let unpinned = UnpinnedSchools()
    var logger = Logger(label: "kuzet.registry.proof")

    init(store: any RegistryStore) { self.store = store as? any CommitmentStore }

    /// Whether the heartbeat fast path may store this request without the key check: unsigned, no
    /// commitment members, from a school seen without a pinned key in the last 10 minutes.
    func fastPathMayStore(_ intake: HeartbeatIntake, signed: Bool, at date: Date) -> Bool {
        guard store != nil else { return true }
        guard !signed, unpinned.isUnpinned(intake.schoolID, at: date) else { return false }
        return !intake.heartbeats.contains { $0.deviceKey != nil || $0.dayRoots != nil || $0.challengeAnswers != nil }
    }

    /// The key check before a request is stored (`KeyPinning`): pins a first or rekeyed key, or
    /// refuses (403) and raises DEVICE_KEY_MISMATCH. Returns the key the request is signed with.
    func admit(_ intake: HeartbeatIntake, signature: String?, body: Data, at date: Date) async throws
        -> DevicePublicKey?
    {
        guard let store else { return nil }
        let pinned = try await store.deviceKey(schoolID: intake.schoolID)
        let claimed = intake.heartbeats.max { $0.sequence < $1.sequence }.flatMap { newest in
            newest.deviceKey ?? intake.heartbeats.last { $0.deviceKey != nil }?.deviceKey
        }
        switch KeyPinning.decide(pinned: pinned, claimed: claimed, signature: signature, body: body) {
        case .accept:
            if pinned == nil { unpinned.remember(intake.schoolID, at: date) } else { unpinned.forget(intake.schoolID) }
            return pinned?.key
        case .pin(let key):
            unpinned.forget(intake.schoolID)
            try await store.pinDeviceKey(schoolID: intake.schoolID, key: key, at: date)
            logger.notice(
                "device key pinned",
                metadata: [
                    "school.id": "\(intake.schoolID)", "key.fingerprint": "\(key.fingerprint)",
                    "key.replaced": "\(pinned != nil)",
                ])
            return key
        case .refuse(let reason):
            if pinned != nil {
                try await store.markKeyMismatch(schoolID: intake.schoolID, reason: reason, at: date)
                logger.warning(
                    "heartbeat refused: device key",
                    metadata: ["school.id": "\(intake.schoolID)", "reason": "\(reason)"])
            }
            throw APIError(.forbidden, code: "device_key_mismatch", message: reason)
        }
    }

    /// After the request is stored: keeps its day roots, checks its answers, fails challenges past
    /// their time, issues one when due. Returns the open challenges for the receipt.
    func afterIngest(_ intake: HeartbeatIntake, key: DevicePublicKey?, at now: Date) async throws
        -> [RetentionChallenge]
    {
        guard let store, let key else { return [] }
        let schoolID = intake.schoolID
        let newest = intake.heartbeats.max { $0.sequence < $1.sequence }
        let claimedOldest = Self.claimedOldest(newest)
        try await keepDayRoots(intake, key: key, store: store, at: now)

        var open = try await store.openChallenges(schoolID: schoolID)
        let stored = try await store.retentionProof(schoolID: schoolID)
        var proof = stored ?? RetentionProof(schoolID: schoolID)
        for answer in intake.heartbeats.flatMap({ $0.challengeAnswers ?? [] }) {
            guard let index = open.firstIndex(where: { $0.id == answer.id }) else { continue }
            let challenge = open.remove(at: index)
            let outcome = try await check(answer, for: challenge, claimedOldest: claimedOldest, store: store)
            if try await store.resolveChallenge(challenge.id, schoolID: schoolID, outcome: outcome.stored, at: now) {
                proof.record(outcome, of: challenge, at: now)
            }
        }
        for challenge in open where challenge.expiresAt <= now {
            let outcome = ChallengeCheck.failed(
                "camera \(challenge.camera) day \(challenge.day) segment \(challenge.segmentIndex): not answered by \(WireDateFormat.format(challenge.expiresAt))"
            )
            if try await store.resolveChallenge(challenge.id, schoolID: schoolID, outcome: outcome.stored, at: now) {
                proof.record(outcome, of: challenge, at: now)
            }
        }
        open.removeAll { $0.expiresAt <= now }

        if let due = proof.nextChallengeAt, due <= now {
            if open.count < Self.maximumOpen,
                let challenge = try await choose(
                    schoolID: schoolID, proof: proof, claimedOldest: claimedOldest, at: now)
            {
                try await store.insertChallenge(challenge)
                open.append(challenge)
            }
            proof.nextChallengeAt = now.addingTimeInterval(challengeInterval * placement(0.5...1.5))
        } else if proof.nextChallengeAt == nil {
            proof.nextChallengeAt = now.addingTimeInterval(challengeInterval * placement(0...1))
        }
        if proof != stored { try await store.updateRetentionProof(proof) }
        return open.prefix(Self.maximumOpen).map(\.wire)
    }

    /// The day roots of the request signed by `key`; others are left out (and logged).
    private func keepDayRoots(_ intake: HeartbeatIntake, key: DevicePublicKey, store: any CommitmentStore, at now: Date)
        async throws
    {
        var roots: [StoredDayRoot] = []
        var refused: [String] = []
        for report in intake.heartbeats.flatMap({ $0.dayRoots ?? [] }) {
            guard let day = UTCDay(parsing: report.day), let root = MerkleHash(hex: report.root),
                SegmentRecord.isValidCamera(report.camera),
                (1...CommitmentLimits.segmentsPerDay).contains(report.segments),
                let signature = Data(base64Encoded: report.signature),
                DayRootStatement(
                    schoolID: intake.schoolID, camera: report.camera, day: report.day, segmentCount: report.segments,
                    root: root
                ).isSigned(report.signature, by: key)
            else {
                refused.append("\(report.camera.prefix(64))/\(report.day.prefix(10))")
                continue
            }
            roots.append(
                StoredDayRoot(
                    camera: report.camera, day: day, segments: report.segments, root: Data(root.bytes),
                    signature: signature))
        }
        if !refused.isEmpty {
            logger.warning(
                "day roots not signed by the pinned key, not kept",
                metadata: ["school.id": "\(intake.schoolID)", "day_roots": "\(refused.prefix(8))"])
        }
        if !roots.isEmpty { _ = try await store.storeDayRoots(schoolID: intake.schoolID, roots, at: now) }
    }

    /// An answer checked against the stored day root (`ChallengeAnswerVerifier`, KuzetCommitment).
    private func check(
        _ answer: ChallengeAnswer, for challenge: StoredChallenge, claimedOldest: [String: Date],
        store: any CommitmentStore
    ) async throws -> ChallengeCheck {
        let place = "camera \(challenge.camera) day \(challenge.day) segment \(challenge.segmentIndex)"
        guard answer.camera == challenge.camera, answer.day == challenge.day.description,
            answer.segmentIndex == challenge.segmentIndex
        else { return .failed("\(place): the answer names another camera, day or segment") }
        guard
            let root = try await store.dayRoot(
                schoolID: challenge.schoolID, camera: challenge.camera, day: challenge.day),
            let hash = MerkleHash(bytes: Array(root.root))
        else { return .failed("\(place): no signed day root stored") }
        do {
            let verified = try ChallengeAnswerVerifier.verify(
                answer, storedDayRoot: hash, segmentCount: root.segments, chunkNonce: challenge.chunkNonce)
            guard verified.status == .expired else { return .proven }
            guard let oldest = claimedOldest[challenge.camera], verified.record.start < oldest else {
                let claim = claimedOldest[challenge.camera].map { WireDateFormat.format($0) } ?? "no date"
                return .failed(
                    "\(place): answered expired, but the camera claims footage from \(claim) — footage it claims must be kept"
                )
            }
            return .expiredAccepted
        } catch {
            return .failed(error.reason)
        }
    }

    /// The next challenge: while RETENTION_UNPROVEN is set, the one that failed last, asked again
    /// (an honest box answers it once it can; a changed segment keeps failing); otherwise a random
    /// segment and chunk of a random day held signed, strictly after the camera's claimed oldest
    /// footage's day and before today.
    func choose(schoolID: String, proof: RetentionProof, claimedOldest: [String: Date], at now: Date) async throws
        -> StoredChallenge?
    {
        guard let store else { return nil }
        if proof.unprovenSince != nil, let failed = try await store.lastFailedChallenge(schoolID: schoolID),
            (try await store.dayRoot(schoolID: schoolID, camera: failed.camera, day: failed.day)) != nil
        {
            return challenge(
                schoolID: schoolID, camera: failed.camera, day: failed.day, segment: failed.segmentIndex,
                nonce: failed.chunkNonce, at: now)
        }
        let today = UTCDay(now)
        let roots = try await store.dayRoots(
            schoolID: schoolID, from: UTCDay(number: today.number - Self.lookBackDays), before: today)
        let candidates = roots.filter { root in
            guard let oldest = claimedOldest[root.camera] else { return false }
            return root.day > UTCDay(oldest)
        }
        guard let root = candidates.randomElement() else { return nil }
        return challenge(
            schoolID: schoolID, camera: root.camera, day: root.day, segment: Int.random(in: 0..<root.segments),
            nonce: UInt32.random(in: .min ... .max), at: now)
    }

    func challenge(schoolID: String, camera: String, day: UTCDay, segment: Int, nonce: UInt32, at now: Date)
        -> StoredChallenge
    {
        StoredChallenge(
            id: UUID().uuidString.lowercased(), schoolID: schoolID, camera: camera, day: day, segmentIndex: segment,
            chunkNonce: nonce, issuedAt: now, expiresAt: now.addingTimeInterval(answerWindow))
    }

    /// Each camera's claimed oldest footage, from the newest heartbeat.
    static func claimedOldest(_ heartbeat: Heartbeat?) -> [String: Date] {
        var oldest: [String: Date] = [:]
        for camera in heartbeat?.cameras ?? [] {
            if let date = camera.retention?.oldestFootage { oldest[camera.id] = date }
        }
        return oldest
    }
}

/// What checking one answer (or its absence) showed.
enum ChallengeCheck: Equatable {
    case proven
    /// `expired`, and the segment's start is before the camera's claimed oldest footage.
    case expiredAccepted
    case failed(String)

    var stored: ChallengeOutcome {
        switch self {
        case .proven, .expiredAccepted: .proven
        case .failed(let reason): .failed(reason: reason)
        }
    }
}

extension RetentionProof {
    /// Moves the proof on with a resolved challenge. A proof reaches back to the oldest day proven
    /// in the last 7 days; a failure sets RETENTION_UNPROVEN (its start kept), a proof clears it.
    mutating func record(_ check: ChallengeCheck, of challenge: StoredChallenge, at now: Date) {
        switch check {
        case .proven:
            let recent = provenAt.map { now.timeIntervalSince($0) < 7 * 86_400 } ?? false
            provenBackTo =
                recent && unprovenSince == nil ? min(provenBackTo ?? challenge.day, challenge.day) : challenge.day
            provenAt = now
            unprovenSince = nil
            unprovenReason = nil
        case .expiredAccepted:
            unprovenSince = nil
            unprovenReason = nil
        case .failed(let reason):
            unprovenSince = unprovenSince ?? now
            unprovenReason = String(reason.prefix(400))
        }
    }
}

extension StoredChallenge {
    var wire: RetentionChallenge {
        RetentionChallenge(
            id: id, camera: camera, day: day.description, segmentIndex: segmentIndex, chunkNonce: chunkNonce,
            expiresAt: expiresAt)
    }
}
