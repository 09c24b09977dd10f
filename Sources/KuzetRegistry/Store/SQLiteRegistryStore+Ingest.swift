import Foundation
import GRDB
import KuzetProtocol

extension SQLiteRegistryStore {
    public func ingest(schoolID: String, heartbeats: [Heartbeat], receivedAt: Date, policy: FlagPolicy) async throws -> IngestResult {
        let encoded = try heartbeats.map { ($0, try StoredJSON.encode($0)) }
        return try await pool.write { db in
            let info = heartbeats.last?.school
            try db.execute(
                sql: """
                    INSERT INTO schools (id, name, region, registered_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = COALESCE(schools.name, excluded.name),
                        region = COALESCE(schools.region, excluded.region)
                    """,
                arguments: [schoolID, info?.name, info?.region, receivedAt.timeIntervalSince1970])
            var inserted: [Heartbeat] = []
            let statement = try db.cachedStatement(
                sql: "INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
            for (heartbeat, payload) in encoded {
                try statement.execute(arguments: [
                    schoolID, Int64(heartbeat.sequence), heartbeat.sentAt.timeIntervalSince1970, receivedAt.timeIntervalSince1970, payload,
                ])
                if db.changesCount > 0 { inserted.append(heartbeat) }
            }
            let row = try Row.fetchOne(db, sql: "SELECT state_json FROM school_states WHERE school_id = ?", arguments: [schoolID])
            let previous = try (row?["state_json"] as Data?).map { try StoredJSON.decode(SchoolState.self, $0) }
            let next = IngestFold.fold(previous: previous, inserted: inserted, receivedAt: receivedAt, policy: policy)
            if let next {
                try db.execute(
                    sql: "INSERT INTO school_states (school_id, state_json) VALUES (?, ?) ON CONFLICT (school_id) DO UPDATE SET state_json = excluded.state_json",
                    arguments: [schoolID, try StoredJSON.encode(next)])
                var arguments: StatementArguments = [receivedAt.timeIntervalSince1970, Int64(next.lastSequence), next.intervalSeconds]
                for (flag, _) in IngestFold.flagColumns { arguments += [next.flags.since(flag)?.timeIntervalSince1970] }
                arguments += [schoolID]
                let assignments = IngestFold.flagColumns.map { "\($0.1) = ?" }.joined(separator: ", ")
                try db.execute(
                    sql: "UPDATE schools SET last_contact_at = ?, last_sequence = ?, interval_seconds = ?, \(assignments) WHERE id = ?",
                    arguments: arguments)
            } else {
                try db.execute(sql: "UPDATE schools SET last_contact_at = ? WHERE id = ?", arguments: [receivedAt.timeIntervalSince1970, schoolID])
            }
            let highest = max(next?.lastSequence ?? 0, previous?.lastSequence ?? 0, inserted.map(\.sequence).max() ?? 0)
            return IngestResult(accepted: inserted.count, duplicates: heartbeats.count - inserted.count, highestSequence: highest)
        }
    }
}
