import Foundation
import GRDB
import KuzetCommitment

extension SQLiteRegistryStore: CommitmentStore {
    public func deviceKey(schoolID: String) async throws -> PinnedDeviceKey? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM device_keys WHERE school_id = ?", arguments: [schoolID]).flatMap {
                row in
                CommitmentRows.pinned(
                    key: row["public_key"], pinnedAt: row["pinned_at"], rekey: row["rekey_requested_at"],
                    mismatchSince: row["mismatch_since"], reason: row["mismatch_reason"])
            }
        }
    }

    public func pinDeviceKey(schoolID: String, key: DevicePublicKey, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: CommitmentRows.pin, arguments: [schoolID, key.rawRepresentation, date.timeIntervalSince1970])
        }
    }

    public func requestRekey(schoolID: String, at date: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE device_keys SET rekey_requested_at = ? WHERE school_id = ?",
                arguments: [date.timeIntervalSince1970, schoolID])
            return db.changesCount > 0
        }
    }

    public func markKeyMismatch(schoolID: String, reason: String, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: CommitmentRows.mismatch, arguments: [date.timeIntervalSince1970, reason, schoolID])
        }
    }

    public func storeDayRoots(schoolID: String, _ roots: [StoredDayRoot], at date: Date) async throws -> Int {
        try await pool.write { db in
            guard try !Self.isRemoved(schoolID, db) else { return 0 }
            var stored = 0
            for root in roots {
                try db.execute(
                    sql: """
                        INSERT INTO day_roots (school_id, camera, day, segments, root, signature) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (school_id, camera, day) DO NOTHING
                        """,
                    arguments: [schoolID, root.camera, root.day.number, root.segments, root.root, root.signature])
                stored += db.changesCount
            }
            return stored
        }
    }

    public func dayRoot(schoolID: String, camera: String, day: UTCDay) async throws -> StoredDayRoot? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM day_roots WHERE school_id = ? AND camera = ? AND day = ?",
                arguments: [schoolID, camera, day.number]
            ).map(Self.dayRoot)
        }
    }

    public func dayRoots(schoolID: String, from: UTCDay, before: UTCDay) async throws -> [StoredDayRoot] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM day_roots WHERE school_id = ? AND day >= ? AND day < ? ORDER BY camera, day",
                arguments: [schoolID, from.number, before.number]
            ).map(Self.dayRoot)
        }
    }

    /// Whether the school was removed (`school remove`) and not registered again: what a request
    /// already past ingest writes after the removal is dropped, so it does not outlive it.
    static func isRemoved(_ schoolID: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM removed_schools WHERE id = ?)", arguments: [schoolID])
            ?? false
    }

    static func dayRoot(_ row: Row) -> StoredDayRoot {
        StoredDayRoot(
            camera: row["camera"], day: UTCDay(number: row["day"]), segments: row["segments"], root: row["root"],
            signature: row["signature"])
    }

    public func openChallenges(schoolID: String) async throws -> [StoredChallenge] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT * FROM retention_challenges WHERE school_id = ? AND resolved_at IS NULL ORDER BY issued_at",
                arguments: [schoolID]
            ).map(Self.challenge)
        }
    }

    public func insertChallenge(_ challenge: StoredChallenge) async throws {
        try await pool.write { db in
            guard try !Self.isRemoved(challenge.schoolID, db) else { return }
            try db.execute(
                sql: """
                    INSERT INTO retention_challenges (id, school_id, camera, day, segment_index, chunk_nonce, issued_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    challenge.id, challenge.schoolID, challenge.camera, challenge.day.number, challenge.segmentIndex,
                    Int64(challenge.chunkNonce), challenge.issuedAt.timeIntervalSince1970,
                    challenge.expiresAt.timeIntervalSince1970,
                ])
        }
    }

    public func resolveChallenge(_ id: String, schoolID: String, outcome: ChallengeOutcome, at date: Date)
        async throws -> Bool
    {
        let (text, reason) = CommitmentRows.outcome(outcome)
        return try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE retention_challenges SET resolved_at = ?, outcome = ?, reason = ?
                    WHERE id = ? AND school_id = ? AND resolved_at IS NULL
                    """,
                arguments: [date.timeIntervalSince1970, text, reason, id, schoolID])
            return db.changesCount > 0
        }
    }

    public func lastFailedChallenge(schoolID: String) async throws -> StoredChallenge? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM retention_challenges WHERE school_id = ? AND outcome = 'failed'
                    ORDER BY resolved_at DESC LIMIT 1
                    """,
                arguments: [schoolID]
            ).map(Self.challenge)
        }
    }

    static func challenge(_ row: Row) -> StoredChallenge {
        StoredChallenge(
            id: row["id"], schoolID: row["school_id"], camera: row["camera"], day: UTCDay(number: row["day"]),
            segmentIndex: row["segment_index"], chunkNonce: UInt32(truncatingIfNeeded: row["chunk_nonce"] as Int64),
            issuedAt: Date(timeIntervalSince1970: row["issued_at"]),
            expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
    }

    public func retentionProof(schoolID: String) async throws -> RetentionProof? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM retention_proofs WHERE school_id = ?", arguments: [schoolID]).map {
                row in
                CommitmentRows.proof(
                    schoolID: schoolID, provenAt: row["proven_at"], backTo: row["proven_back_to"],
                    unprovenSince: row["unproven_since"], reason: row["unproven_reason"], next: row["next_challenge_at"]
                )
            }
        }
    }

    public func updateRetentionProof(_ proof: RetentionProof) async throws {
        try await pool.write { db in
            guard try !Self.isRemoved(proof.schoolID, db) else { return }
            try db.execute(
                sql: CommitmentRows.upsertProof,
                arguments: [
                    proof.schoolID, proof.provenAt?.timeIntervalSince1970, proof.provenBackTo?.number,
                    proof.unprovenSince?.timeIntervalSince1970, proof.unprovenReason,
                    proof.nextChallengeAt?.timeIntervalSince1970,
                ])
        }
    }

    public func provenSchools(since: Date) async throws -> [String?: Int] {
        try await pool.read { db in
            var counts: [String?: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: CommitmentRows.provenByRegion, arguments: [since.timeIntervalSince1970])
            {
                counts[row[0] as String?] = row[1]
            }
            return counts
        }
    }
}
