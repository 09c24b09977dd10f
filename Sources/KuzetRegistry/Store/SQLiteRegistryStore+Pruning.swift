import Foundation
import GRDB

extension SQLiteRegistryStore {
    public func prune(_ records: PrunedRecords, before date: Date, limit: Int) async throws -> Int {
        let cutoff = date.timeIntervalSince1970
        let (sql, arguments): (String, StatementArguments) =
            switch records {
            case .dayRoots:
                (PruningSQL.dayRoots, [UTCDay(date).number, limit])
            case .challenges:
                (
                    "DELETE FROM retention_challenges WHERE rowid IN (SELECT rowid \(PruningSQL.challenges) LIMIT ?)",
                    [cutoff, limit]
                )
            case .commands, .evidenceCommands:
                (
                    "DELETE FROM commands WHERE rowid IN (SELECT rowid \(PruningSQL.commands(records)) LIMIT ?)",
                    [cutoff, cutoff, limit]
                )
            case .audit:
                (
                    "DELETE FROM audit_log WHERE rowid IN (SELECT rowid FROM audit_log WHERE at < ? LIMIT ?)",
                    [cutoff, limit]
                )
            }
        // One short write transaction per batch, so ingest (the same single writer) waits little.
        return try await pool.write { db in
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }
}

/// SQLite's pruning statements (PostgreSQL's, the same conditions by `ctid`, are in `PostgresRegistryStore+Pruning`).
enum PruningSQL {
    /// Day roots of days before the cutoff day, except those a challenge still open asks about.
    static let dayRoots = """
        DELETE FROM day_roots WHERE (school_id, camera, day) IN (
            SELECT school_id, camera, day FROM day_roots d WHERE day < ? AND NOT EXISTS (
                SELECT 1 FROM retention_challenges c
                WHERE c.school_id = d.school_id AND c.resolved_at IS NULL AND c.camera = d.camera AND c.day = d.day)
            LIMIT ?)
        """

    /// Challenges issued before the cutoff, except each school's newest failed one.
    static let challenges = """
        FROM retention_challenges r WHERE issued_at < ? AND (COALESCE(outcome, '') <> 'failed' OR resolved_at < (
            SELECT max(resolved_at) FROM retention_challenges f WHERE f.school_id = r.school_id AND f.outcome = 'failed'))
        """

    /// Commands without (or with) evidence last updated and expired before the cutoff.
    static func commands(_ records: PrunedRecords) -> String {
        "FROM commands WHERE updated_at < ? AND expires_at < ? AND evidence_sha256 IS "
            + (records == .evidenceCommands ? "NOT NULL" : "NULL")
    }
}
