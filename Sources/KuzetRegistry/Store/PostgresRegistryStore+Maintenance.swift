import Foundation
import PostgresNIO

extension PostgresRegistryStore {
    public func deleteToken(hash: String) async throws -> Bool {
        let rows = try await client.query("DELETE FROM tokens WHERE hash = \(hash) RETURNING hash", logger: logger)
        var deleted = false
        for try await _ in rows.decode(String.self) { deleted = true }
        return deleted
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
