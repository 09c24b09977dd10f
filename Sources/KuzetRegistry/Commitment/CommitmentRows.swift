import Crypto
import Foundation
import KuzetCommitment

/// Row shapes both stores share for `CommitmentStore`, and the SQLite store's statements (the
/// PostgreSQL store writes the same ones with its bindings).
enum CommitmentRows {
    /// (school, key, date): pins, clearing a rekey request and a mismatch. Nothing for a removed
    /// school: an instance that still remembers its token lets its old box's heartbeat reach the key
    /// check (the heartbeat is then refused), and must not pin that box's key again.
    static let pin = """
        INSERT INTO device_keys (school_id, public_key, pinned_at) SELECT ?1, ?2, ?3
        WHERE NOT EXISTS (SELECT 1 FROM removed_schools WHERE id = ?1)
        ON CONFLICT (school_id) DO UPDATE SET public_key = excluded.public_key, pinned_at = excluded.pinned_at,
            rekey_requested_at = NULL, mismatch_since = NULL, mismatch_reason = NULL
        """
    /// (date, reason, school): the start of a mismatch already set is kept; its reason is the newest.
    static let mismatch = """
        UPDATE device_keys SET mismatch_since = COALESCE(mismatch_since, ?), mismatch_reason = ? WHERE school_id = ?
        """
    /// (school, proven_at, proven_back_to, unproven_since, unproven_reason, next_challenge_at).
    static let upsertProof = """
        INSERT INTO retention_proofs (school_id, proven_at, proven_back_to, unproven_since, unproven_reason, next_challenge_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (school_id) DO UPDATE SET proven_at = excluded.proven_at, proven_back_to = excluded.proven_back_to,
            unproven_since = excluded.unproven_since, unproven_reason = excluded.unproven_reason,
            next_challenge_at = excluded.next_challenge_at
        """
    /// (since): schools per region whose retention was proven since then.
    static let provenByRegion = """
        SELECT schools.region, COUNT(*) FROM retention_proofs JOIN schools ON schools.id = retention_proofs.school_id
        WHERE retention_proofs.proven_at >= ? GROUP BY schools.region
        """

    static func pinned(key: Data?, pinnedAt: Double?, rekey: Double?, mismatchSince: Double?, reason: String?)
        -> PinnedDeviceKey?
    {
        guard let key, let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key), let pinnedAt else {
            return nil
        }
        return PinnedDeviceKey(
            key: DevicePublicKey(publicKey), pinnedAt: Date(timeIntervalSince1970: pinnedAt),
            rekeyRequestedAt: rekey.map(Date.init(timeIntervalSince1970:)),
            mismatchSince: mismatchSince.map(Date.init(timeIntervalSince1970:)), mismatchReason: reason)
    }

    static func proof(
        schoolID: String, provenAt: Double?, backTo: Int?, unprovenSince: Double?, reason: String?, next: Double?
    ) -> RetentionProof {
        var proof = RetentionProof(schoolID: schoolID)
        proof.provenAt = provenAt.map(Date.init(timeIntervalSince1970:))
        proof.provenBackTo = backTo.map(UTCDay.init(number:))
        proof.unprovenSince = unprovenSince.map(Date.init(timeIntervalSince1970:))
        proof.unprovenReason = reason
        proof.nextChallengeAt = next.map(Date.init(timeIntervalSince1970:))
        return proof
    }

    /// The `outcome` and `reason` columns.
    static func outcome(_ outcome: ChallengeOutcome) -> (String, String?) {
        switch outcome {
        case .proven: ("proven", nil)
        case .failed(let reason): ("failed", reason)
        }
    }
}
