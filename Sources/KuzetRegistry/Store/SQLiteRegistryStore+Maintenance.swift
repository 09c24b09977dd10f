import Foundation
import GRDB

extension SQLiteRegistryStore {
    public func deleteToken(hash: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM tokens WHERE hash = ?", arguments: [hash])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: RegistrySQL.bumpTokenGeneration)
            return true
        }
    }

    public func tokenGeneration() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: RegistrySQL.tokenGeneration) ?? 0 }
    }

    public func removeSchool(id: String) async throws -> SchoolRemoval? {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM schools WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return nil }
            try db.execute(
                sql:
                    "INSERT INTO removed_schools (id, removed_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET removed_at = excluded.removed_at",
                arguments: [id, Date().timeIntervalSince1970])
            try db.execute(sql: "DELETE FROM school_states WHERE school_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM school_flags WHERE school_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM camera_thumbnails WHERE school_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM tokens WHERE school_id = ?", arguments: [id])
            let tokens = db.changesCount
            if tokens > 0 { try db.execute(sql: RegistrySQL.bumpTokenGeneration) }
            /// Deletes the school's rows of `table` (and `condition`); how many went.
            func forget(_ table: String, _ condition: String = "") throws -> Int {
                try db.execute(sql: "DELETE FROM \(table) WHERE school_id = ?\(condition)", arguments: [id])
                return db.changesCount
            }
            var removal = SchoolRemoval(tokens: tokens, heartbeats: try forget("heartbeats"))
            removal.deviceKeys = try forget("device_keys")
            removal.dayRoots = try forget("day_roots")
            removal.challenges = try forget("retention_challenges")
            removal.retentionProofs = try forget("retention_proofs")
            removal.unfinishedCommands = try forget("commands", " AND state IN \(RegistrySQL.unfinishedCommandStates)")
            removal.finishedCommandsKept =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM commands WHERE school_id = ?", arguments: [id]) ?? 0
            return removal
        }
    }

    public func pruneHistory(receivedBefore date: Date, limit: Int) async throws -> Int {
        // One short write transaction per batch, so ingest (the same single writer) waits little.
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM heartbeats WHERE (school_id, sequence) IN
                        (SELECT school_id, sequence FROM heartbeats WHERE received_at < ? LIMIT ?)
                    """,
                arguments: [date.timeIntervalSince1970, limit])
            return db.changesCount
        }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
