import Foundation
import PostgresNIO

extension PostgresRegistryStore {
    public func deleteToken(hash: String) async throws -> Bool {
        let rows = try await client.query(
            """
            WITH deleted AS (DELETE FROM tokens WHERE hash = \(hash) RETURNING hash),
            bumped AS (\(unescaped: Self.bumpTokenGenerationIf("deleted")))
            SELECT count(*) FROM deleted
            """, logger: logger)
        var deleted = false
        for try await count in rows.decode(Int64.self) { deleted = count > 0 }
        return deleted
    }

    /// Moves the `tokens` generation on if the CTE `rows` has any (tokens were deleted).
    static func bumpTokenGenerationIf(_ rows: String) -> String {
        """
        INSERT INTO registry_generations (name, generation) SELECT 'tokens', 1 WHERE EXISTS (SELECT 1 FROM \(rows))
        ON CONFLICT (name) DO UPDATE SET generation = registry_generations.generation + 1
        """
    }

    public func tokenGeneration() async throws -> Int64 {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: RegistrySQL.tokenGeneration, binds: PostgresBindings()), logger: logger)
        for try await generation in rows.decode(Int64.self) { return generation }
        return 0
    }

    public func removeSchool(id: String) async throws -> SchoolRemoval? {
        do {
            return try await removeSchoolTransaction(id: id)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    /// `removeSchool`'s transaction.
    private func removeSchoolTransaction(id: String) async throws -> SchoolRemoval? {
        let unfinished = RegistrySQL.unfinishedCommandStates
        return try await client.withTransaction(logger: logger) { connection in
            // The school's row first. Every write of the school locks it (`kuzet_school_writable`, the
            // ingest's locks), so this waits for those under way, and the ones that come later wait for
            // this transaction, then find the school removed. The next statement's snapshot is taken
            // after the wait: it sees what those under way committed.
            var found = false
            for try await _ in try await connection.query(
                "DELETE FROM schools WHERE id = \(id) RETURNING 1", logger: logger
            ).decode(Int32.self) {
                found = true
            }
            guard found else { return nil }
            // One statement: every part reads the same snapshot, so the finished commands counted
            // last are those the delete of unfinished ones left.
            let rows = try await connection.query(
                """
                WITH tokens AS (DELETE FROM tokens WHERE school_id = \(id) RETURNING 1),
                history AS (DELETE FROM heartbeats WHERE school_id = \(id) RETURNING 1),
                flags AS (DELETE FROM school_flags WHERE school_id = \(id)),
                thumbnails AS (DELETE FROM camera_thumbnails WHERE school_id = \(id)),
                keys AS (DELETE FROM device_keys WHERE school_id = \(id) RETURNING 1),
                roots AS (DELETE FROM day_roots WHERE school_id = \(id) RETURNING 1),
                challenges AS (DELETE FROM retention_challenges WHERE school_id = \(id) RETURNING 1),
                proofs AS (DELETE FROM retention_proofs WHERE school_id = \(id) RETURNING 1),
                commands_gone AS (DELETE FROM commands WHERE school_id = \(id) AND state IN \(unescaped: unfinished)
                                  RETURNING 1),
                removed AS (INSERT INTO removed_schools (id, removed_at) VALUES (\(id), extract(epoch FROM now()))
                            ON CONFLICT (id) DO UPDATE SET removed_at = excluded.removed_at),
                bumped AS (\(unescaped: Self.bumpTokenGenerationIf("tokens")))
                SELECT (SELECT count(*) FROM tokens), (SELECT count(*) FROM history), (SELECT count(*) FROM keys),
                    (SELECT count(*) FROM roots), (SELECT count(*) FROM challenges), (SELECT count(*) FROM proofs),
                    (SELECT count(*) FROM commands_gone),
                    (SELECT count(*) FROM commands WHERE school_id = \(id) AND state NOT IN \(unescaped: unfinished))
                """, logger: logger)
            for try await (tokens, heartbeats, keys, roots, challenges, proofs, unfinished, finished)
                in rows.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
            {
                return SchoolRemoval(
                    tokens: Int(tokens), heartbeats: Int(heartbeats), deviceKeys: Int(keys), dayRoots: Int(roots),
                    challenges: Int(challenges), retentionProofs: Int(proofs), unfinishedCommands: Int(unfinished),
                    finishedCommandsKept: Int(finished))
            }
            return nil
        }
    }

    public func pruneHistory(receivedBefore date: Date, limit: Int) async throws -> Int {
        // Batches by the rows' physical address: each DELETE is short, and instances pruning at the
        // same time skip each other's rows instead of waiting on them.
        let rows = try await client.query(
            """
            DELETE FROM heartbeats WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM heartbeats WHERE received_at < \(date.timeIntervalSince1970) LIMIT \(limit) FOR UPDATE SKIP LOCKED))
            RETURNING 1
            """, logger: logger)
        var count = 0
        for try await _ in rows.decode(Int32.self) { count += 1 }
        return count
    }

    public func ping() async throws {
        _ = try await client.query("SELECT 1", logger: logger)
    }
}
