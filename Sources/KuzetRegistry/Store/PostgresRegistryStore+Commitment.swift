import Foundation
import KuzetCommitment
import NIOCore
import PostgresNIO

extension PostgresRegistryStore: CommitmentStore {
    public func deviceKey(schoolID: String) async throws -> PinnedDeviceKey? {
        let rows = try await client.query(
            """
            SELECT public_key, pinned_at, rekey_requested_at, mismatch_since, mismatch_reason FROM device_keys
            WHERE school_id = \(schoolID)
            """, logger: logger)
        for try await row in rows.decode((Data, Double, Double?, Double?, String?).self) {
            return CommitmentRows.pinned(
                key: row.0, pinnedAt: row.1, rekey: row.2, mismatchSince: row.3, reason: row.4)
        }
        return nil
    }

    // The writes below go on only if `kuzet_school_writable` (PostgresSchema) says so: it locks the
    // school's row to the commit, so `school remove` on another instance cannot pass them by. As a
    // sub-select it runs once per statement, not once per row.

    public func pinDeviceKey(schoolID: String, key: DevicePublicKey, at date: Date) async throws {
        try await client.query(
            """
            INSERT INTO device_keys (school_id, public_key, pinned_at)
            SELECT \(schoolID), \(key.rawRepresentation), \(date.timeIntervalSince1970)
            WHERE (SELECT kuzet_school_writable(\(schoolID)))
            ON CONFLICT (school_id) DO UPDATE SET public_key = excluded.public_key, pinned_at = excluded.pinned_at,
                rekey_requested_at = NULL, mismatch_since = NULL, mismatch_reason = NULL
            """, logger: logger)
    }

    public func requestRekey(schoolID: String, at date: Date) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE device_keys SET rekey_requested_at = \(date.timeIntervalSince1970) WHERE school_id = \(schoolID)
            RETURNING 1
            """, logger: logger)
        for try await _ in rows.decode(Int32.self) { return true }
        return false
    }

    public func markKeyMismatch(schoolID: String, reason: String, at date: Date) async throws {
        try await client.query(
            """
            UPDATE device_keys SET mismatch_since = COALESCE(mismatch_since, \(date.timeIntervalSince1970)),
                mismatch_reason = \(reason) WHERE school_id = \(schoolID)
            """, logger: logger)
    }

    public func storeDayRoots(schoolID: String, _ roots: [StoredDayRoot], at date: Date) async throws -> Int {
        guard !roots.isEmpty else { return 0 }
        let rows = try await client.query(
            """
            INSERT INTO day_roots (school_id, camera, day, segments, root, signature)
            SELECT \(schoolID), * FROM unnest(\(roots.map(\.camera))::text[], \(roots.map { Int32($0.day.number) })::integer[],
                \(roots.map { Int32(clamping: $0.segments) })::integer[], \(roots.map { ByteBuffer(bytes: $0.root) })::bytea[], \(roots.map { ByteBuffer(bytes: $0.signature) })::bytea[])
            WHERE (SELECT kuzet_school_writable(\(schoolID)))
            ON CONFLICT (school_id, camera, day) DO NOTHING
            RETURNING 1
            """, logger: logger)
        var stored = 0
        for try await _ in rows.decode(Int32.self) { stored += 1 }
        return stored
    }

    public func dayRoot(schoolID: String, camera: String, day: UTCDay) async throws -> StoredDayRoot? {
        let rows = try await client.query(
            """
            SELECT camera, day, segments, root, signature FROM day_roots
            WHERE school_id = \(schoolID) AND camera = \(camera) AND day = \(Int32(day.number))
            """, logger: logger)
        for try await row in rows.decode((String, Int32, Int32, Data, Data).self) { return Self.dayRoot(row) }
        return nil
    }

    public func dayRoots(schoolID: String, from: UTCDay, before: UTCDay) async throws -> [StoredDayRoot] {
        let rows = try await client.query(
            """
            SELECT camera, day, segments, root, signature FROM day_roots
            WHERE school_id = \(schoolID) AND day >= \(Int32(from.number)) AND day < \(Int32(before.number))
            ORDER BY camera, day
            """, logger: logger)
        var roots: [StoredDayRoot] = []
        for try await row in rows.decode((String, Int32, Int32, Data, Data).self) { roots.append(Self.dayRoot(row)) }
        return roots
    }

    static func dayRoot(_ row: (String, Int32, Int32, Data, Data)) -> StoredDayRoot {
        StoredDayRoot(
            camera: row.0, day: UTCDay(number: Int(row.1)), segments: Int(row.2), root: row.3, signature: row.4)
    }

    private static let challengeColumns =
        "id, school_id, camera, day, segment_index, chunk_nonce, issued_at, expires_at"
    private typealias ChallengeRow = (String, String, String, Int32, Int32, Int64, Double, Double)

    public func openChallenges(schoolID: String) async throws -> [StoredChallenge] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.challengeColumns) FROM retention_challenges
            WHERE school_id = \(schoolID) AND resolved_at IS NULL ORDER BY issued_at
            """, logger: logger)
        var challenges: [StoredChallenge] = []
        for try await row in rows.decode(ChallengeRow.self) { challenges.append(Self.challenge(row)) }
        return challenges
    }

    private static func challenge(_ row: ChallengeRow) -> StoredChallenge {
        StoredChallenge(
            id: row.0, schoolID: row.1, camera: row.2, day: UTCDay(number: Int(row.3)), segmentIndex: Int(row.4),
            chunkNonce: UInt32(truncatingIfNeeded: row.5), issuedAt: Date(timeIntervalSince1970: row.6),
            expiresAt: Date(timeIntervalSince1970: row.7))
    }

    public func insertChallenge(_ challenge: StoredChallenge) async throws {
        try await client.query(
            """
            INSERT INTO retention_challenges (id, school_id, camera, day, segment_index, chunk_nonce, issued_at, expires_at)
            SELECT \(challenge.id), \(challenge.schoolID), \(challenge.camera), \(Int32(challenge.day.number)),
                \(Int32(clamping: challenge.segmentIndex)), \(Int64(challenge.chunkNonce)),
                \(challenge.issuedAt.timeIntervalSince1970), \(challenge.expiresAt.timeIntervalSince1970)
            WHERE (SELECT kuzet_school_writable(\(challenge.schoolID)))
            """, logger: logger)
    }

    public func resolveChallenge(_ id: String, schoolID: String, outcome: ChallengeOutcome, at date: Date)
        async throws -> Bool
    {
        let (text, reason) = CommitmentRows.outcome(outcome)
        let rows = try await client.query(
            """
            UPDATE retention_challenges SET resolved_at = \(date.timeIntervalSince1970), outcome = \(text), reason = \(reason)
            WHERE id = \(id) AND school_id = \(schoolID) AND resolved_at IS NULL RETURNING 1
            """, logger: logger)
        for try await _ in rows.decode(Int32.self) { return true }
        return false
    }

    public func lastFailedChallenge(schoolID: String) async throws -> StoredChallenge? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.challengeColumns) FROM retention_challenges
            WHERE school_id = \(schoolID) AND outcome = 'failed' ORDER BY resolved_at DESC LIMIT 1
            """, logger: logger)
        for try await row in rows.decode(ChallengeRow.self) { return Self.challenge(row) }
        return nil
    }

    public func retentionProof(schoolID: String) async throws -> RetentionProof? {
        let rows = try await client.query(
            """
            SELECT proven_at, proven_back_to, unproven_since, unproven_reason, next_challenge_at FROM retention_proofs
            WHERE school_id = \(schoolID)
            """, logger: logger)
        for try await row in rows.decode((Double?, Int32?, Double?, String?, Double?).self) {
            return CommitmentRows.proof(
                schoolID: schoolID, provenAt: row.0, backTo: row.1.map(Int.init), unprovenSince: row.2, reason: row.3,
                next: row.4)
        }
        return nil
    }

    public func updateRetentionProof(_ proof: RetentionProof) async throws {
        try await client.query(
            """
            INSERT INTO retention_proofs (school_id, proven_at, proven_back_to, unproven_since, unproven_reason, next_challenge_at)
            SELECT \(proof.schoolID), \(proof.provenAt?.timeIntervalSince1970), \(proof.provenBackTo.map { Int32($0.number) }),
                \(proof.unprovenSince?.timeIntervalSince1970), \(proof.unprovenReason), \(proof.nextChallengeAt?.timeIntervalSince1970)
            WHERE (SELECT kuzet_school_writable(\(proof.schoolID)))
            ON CONFLICT (school_id) DO UPDATE SET proven_at = excluded.proven_at, proven_back_to = excluded.proven_back_to,
                unproven_since = excluded.unproven_since, unproven_reason = excluded.unproven_reason,
                next_challenge_at = excluded.next_challenge_at
            """, logger: logger)
    }

    public func provenSchools(since: Date) async throws -> [String?: Int] {
        let rows = try await client.query(
            """
            SELECT schools.region, COUNT(*) FROM retention_proofs JOIN schools ON schools.id = retention_proofs.school_id
            WHERE retention_proofs.proven_at >= \(since.timeIntervalSince1970) GROUP BY schools.region
            """, logger: logger)
        var counts: [String?: Int] = [:]
        for try await (region, count) in rows.decode((String?, Int64).self) { counts[region] = Int(count) }
        return counts
    }
}
