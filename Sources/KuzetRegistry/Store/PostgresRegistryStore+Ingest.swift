import Foundation
import KuzetProtocol
import PostgresNIO

extension PostgresRegistryStore {
    public func ingest(schoolID: String, heartbeats: [Heartbeat], receivedAt: Date, policy: FlagPolicy) async throws -> IngestResult {
        let received = receivedAt.timeIntervalSince1970
        let sequences = heartbeats.map { Int64($0.sequence) }
        let sentTimes = heartbeats.map { $0.sentAt.timeIntervalSince1970 }
        let payloads = try heartbeats.map { String(decoding: try StoredJSON.encode($0), as: UTF8.self) }
        let info = heartbeats.last?.school
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            // Upserting the school row locks it until commit: requests of one school are serialised.
            let stateRows = try await connection.query(
                """
                INSERT INTO schools (id, name, region, registered_at) VALUES (\(schoolID), \(info?.name), \(info?.region), \(received))
                ON CONFLICT (id) DO UPDATE SET name = COALESCE(schools.name, excluded.name), region = COALESCE(schools.region, excluded.region)
                RETURNING state_json
                """, logger: logger)
            var previous: SchoolState?
            for try await (json) in stateRows.decode((String?).self) {
                previous = try json.map { try StoredJSON.decode(SchoolState.self, Data($0.utf8)) }
            }
            let insertedRows = try await connection.query(
                """
                INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload)
                SELECT \(schoolID), s, t, \(received), p FROM unnest(\(sequences)::bigint[], \(sentTimes)::float8[], \(payloads)::text[]) AS u(s, t, p)
                ON CONFLICT DO NOTHING RETURNING sequence
                """, logger: logger)
            var insertedSequences = Set<Int64>()
            for try await sequence in insertedRows.decode(Int64.self) { insertedSequences.insert(sequence) }
            let inserted = heartbeats.filter { insertedSequences.contains(Int64($0.sequence)) }
            let next = IngestFold.fold(previous: previous, inserted: inserted, receivedAt: receivedAt, policy: policy)
            if let next {
                let json = String(decoding: try StoredJSON.encode(next), as: UTF8.self)
                let since = { (flag: SchoolFlag) in next.flags.since(flag)?.timeIntervalSince1970 }
                try await connection.query(
                    """
                    UPDATE schools SET last_contact_at = \(received), last_sequence = \(Int64(next.lastSequence)),
                        interval_seconds = \(next.intervalSeconds), state_json = \(json),
                        not_recording_since = \(since(.notRecording)), not_delivering_since = \(since(.notDelivering)),
                        retention_below_since = \(since(.retentionBelowMinimum)), disk_pressure_since = \(since(.diskPressure)),
                        clock_skew_since = \(since(.clockSkew))
                    WHERE id = \(schoolID)
                    """, logger: logger)
            } else {
                try await connection.query("UPDATE schools SET last_contact_at = \(received) WHERE id = \(schoolID)", logger: logger)
            }
            let highest = max(next?.lastSequence ?? 0, previous?.lastSequence ?? 0, inserted.map(\.sequence).max() ?? 0)
            return IngestResult(accepted: inserted.count, duplicates: heartbeats.count - inserted.count, highestSequence: highest)
        }
    }
}
