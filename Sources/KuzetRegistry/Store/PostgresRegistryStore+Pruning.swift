import Foundation
import PostgresNIO

extension PostgresRegistryStore {
    public func prune(_ records: PrunedRecords, before date: Date, limit: Int) async throws -> Int {
        // Batches by the rows' physical address, as history's pruning: each DELETE is short, and
        // instances pruning at the same time skip each other's rows instead of waiting on them.
        let cutoff = date.timeIntervalSince1970
        let query: PostgresQuery =
            switch records {
            case .dayRoots:
                """
                WITH pruned AS (DELETE FROM day_roots WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM day_roots d WHERE day < \(UTCDay(date).number) AND NOT EXISTS (
                        SELECT 1 FROM retention_challenges c
                        WHERE c.school_id = d.school_id AND c.resolved_at IS NULL AND c.camera = d.camera AND c.day = d.day)
                    LIMIT \(limit) FOR UPDATE SKIP LOCKED))
                RETURNING 1) SELECT count(*) FROM pruned
                """
            case .challenges:
                """
                WITH pruned AS (DELETE FROM retention_challenges WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM retention_challenges r WHERE issued_at < \(cutoff)
                        AND (COALESCE(outcome, '') <> 'failed' OR resolved_at < (
                            SELECT max(resolved_at) FROM retention_challenges f
                            WHERE f.school_id = r.school_id AND f.outcome = 'failed'))
                    LIMIT \(limit) FOR UPDATE SKIP LOCKED))
                RETURNING 1) SELECT count(*) FROM pruned
                """
            case .commands:
                """
                WITH pruned AS (DELETE FROM commands WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM commands WHERE updated_at < \(cutoff) AND expires_at < \(cutoff)
                        AND evidence_sha256 IS NULL
                    LIMIT \(limit) FOR UPDATE SKIP LOCKED))
                RETURNING 1) SELECT count(*) FROM pruned
                """
            case .evidenceCommands:
                """
                WITH pruned AS (DELETE FROM commands WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM commands WHERE updated_at < \(cutoff) AND expires_at < \(cutoff)
                        AND evidence_sha256 IS NOT NULL
                    LIMIT \(limit) FOR UPDATE SKIP LOCKED))
                RETURNING 1) SELECT count(*) FROM pruned
                """
            case .audit:
                """
                WITH pruned AS (DELETE FROM audit_log WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM audit_log WHERE at < \(cutoff) LIMIT \(limit) FOR UPDATE SKIP LOCKED))
                RETURNING 1) SELECT count(*) FROM pruned
                """
            }
        // One row back, the count: a pruning stopped at shutdown while it read thousands of
        // `RETURNING` rows lost a committed batch from its count (and its log line).
        let rows = try await client.query(query, logger: logger)
        var deleted = 0
        for try await count in rows.decode(Int64.self) { deleted = Int(count) }
        return deleted
    }
}
