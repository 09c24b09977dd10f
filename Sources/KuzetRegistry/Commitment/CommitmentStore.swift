import Foundation
import KuzetCommitment

/// Issue 21 (provable retention): what the registry keeps to hold a school to its footage — the
/// pinned device key, signed day roots, challenges and what they proved. Both stores implement it
/// in tables of their own (`device_keys`, `day_roots`, `retention_challenges`, `retention_proofs`).
public protocol CommitmentStore: Sendable {
    func deviceKey(schoolID: String) async throws -> PinnedDeviceKey?
    /// Pins `key` for the school (a first key, or the next after `requestRekey`); ends a mismatch.
    /// Nothing for a school removed and not registered again (`removeSchool` forgot its key).
    func pinDeviceKey(schoolID: String, key: DevicePublicKey, at date: Date) async throws
    /// Lets the next new key be pinned (`school rekey`); false if the school has no pinned key.
    func requestRekey(schoolID: String, at date: Date) async throws -> Bool
    /// Sets DEVICE_KEY_MISMATCH (a start already set is kept).
    func markKeyMismatch(schoolID: String, reason: String, at date: Date) async throws
    /// Stores day roots; a (camera, day) already held keeps its first root. Returns how many were new.
    /// Like `insertChallenge` and `updateRetentionProof`, writes nothing for a school removed and not
    /// registered again: a request that passed ingest just before `removeSchool` leaves nothing behind.
    func storeDayRoots(schoolID: String, _ roots: [StoredDayRoot], at date: Date) async throws -> Int
    func dayRoot(schoolID: String, camera: String, day: UTCDay) async throws -> StoredDayRoot?
    /// The school's day roots from `from` to before `before` (camera, day, segment count).
    func dayRoots(schoolID: String, from: UTCDay, before: UTCDay) async throws -> [StoredDayRoot]
    func openChallenges(schoolID: String) async throws -> [StoredChallenge]
    func insertChallenge(_ challenge: StoredChallenge) async throws
    /// Closes an open challenge with its outcome; false if it was not open.
    func resolveChallenge(_ id: String, schoolID: String, outcome: ChallengeOutcome, at date: Date) async throws
        -> Bool
    /// The newest failed challenge of the school (re-asked first while RETENTION_UNPROVEN is set).
    func lastFailedChallenge(schoolID: String) async throws -> StoredChallenge?
    func retentionProof(schoolID: String) async throws -> RetentionProof?
    func updateRetentionProof(_ proof: RetentionProof) async throws
    /// Schools with a successful challenge at or after `since`, per region (the report's column).
    func provenSchools(since: Date) async throws -> [String?: Int]
}

public struct PinnedDeviceKey: Sendable, Equatable {
    public var key: DevicePublicKey
    public var pinnedAt: Date
    /// `school rekey` was asked: the next new key is pinned.
    public var rekeyRequestedAt: Date?
    public var mismatchSince: Date?
    public var mismatchReason: String?

    /// The key as the wire writes it (base64 of the 32 raw bytes).
    public var base64: String { key.base64 }
    /// Lower-case hex SHA-256 of the raw key.
    public var fingerprint: String { key.fingerprint }
}

/// One camera's signed day root as stored: 146 bytes a row in SQLite, 221 in PostgreSQL with its key (`docs/provable-retention.md`).
public struct StoredDayRoot: Sendable, Equatable {
    public var camera: String
    public var day: UTCDay
    public var segments: Int
    /// 32 bytes.
    public var root: Data
    /// 64 bytes (Ed25519).
    public var signature: Data

    public init(camera: String, day: UTCDay, segments: Int, root: Data, signature: Data) {
        self.camera = camera
        self.day = day
        self.segments = segments
        self.root = root
        self.signature = signature
    }
}

public struct StoredChallenge: Sendable, Equatable {
    public var id: String
    public var schoolID: String
    public var camera: String
    public var day: UTCDay
    public var segmentIndex: Int
    public var chunkNonce: UInt32
    public var issuedAt: Date
    public var expiresAt: Date
}

public enum ChallengeOutcome: Sendable, Equatable {
    case proven
    case failed(reason: String)
}

/// Per school: when retention was last proven and how far back; RETENTION_UNPROVEN and why.
public struct RetentionProof: Sendable, Equatable {
    public var schoolID: String
    public var provenAt: Date?
    /// The oldest day a successful challenge reached (of those since the last failure).
    public var provenBackTo: UTCDay?
    public var unprovenSince: Date?
    public var unprovenReason: String?
    /// When the scheduler issues the next random challenge.
    public var nextChallengeAt: Date?

    public init(schoolID: String) { self.schoolID = schoolID }
}
