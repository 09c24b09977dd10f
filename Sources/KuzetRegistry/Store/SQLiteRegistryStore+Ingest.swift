import Foundation
import GRDB
import KuzetProtocol

extension SQLiteRegistryStore {
    public func ingest(
        schoolID: String, heartbeats: [Heartbeat], payloads: [Data], receivedAt: Date, policy: FlagPolicy,
        completion: @escaping @Sendable (Result<IngestResult, any Error>) -> Void
    ) {
        groupWriter.submit(
            schoolID: schoolID, heartbeats: heartbeats, payloads: payloads, receivedAt: receivedAt, policy: policy,
            cache: stateCache,
            answer: completion)
    }

    /// How grouped ingest has gone in this store instance.
    public var ingestStatistics: IngestGroupStatistics { groupWriter.statistics }

    /// A group of requests in one transaction (one commit), in arrival order: a later request of the
    /// same school sees what an earlier one stored, exactly as if they had come one after another.
    /// Blocks the calling thread (the group writer's own) until the commit.
    static func write(_ requests: [IngestRequest], to pool: DatabasePool, cache: SchoolStateCache) throws
        -> [IngestResult]
    {
        let (results, states) = try pool.write { db in
            var states: [String: SchoolState?] = [:]
            let results = try requests.map { try ingest($0, db: db, states: &states, cache: cache) }
            return (results, states.compactMapValues { $0 })
        }
        cache.remember(states)
        return results
    }

    /// One request's statements. `states`: each school's state as this group left it so far.
    static func ingest(
        _ request: IngestRequest, db: Database, states: inout [String: SchoolState?], cache: SchoolStateCache
    ) throws -> IngestResult {
        let received = request.receivedAt.timeIntervalSince1970
        let info = request.heartbeats.last?.school
        let region = info?.region.flatMap { $0.isEmpty ? nil : $0 }
        guard
            let school = try Row.fetchOne(
                db.cachedStatement(sql: SQLiteIngestSQL.upsertSchool),
                arguments: [request.schoolID, info?.name, region, received])
        else { throw SchoolRemovedError(schoolID: request.schoolID) }
        let storedSequence = school["last_sequence"] as Int64?
        let insert = try db.cachedStatement(sql: SQLiteIngestSQL.insertHeartbeat)
        var inserted: [Heartbeat] = []
        for (heartbeat, payload) in zip(request.heartbeats, request.payloads) {
            try insert.execute(arguments: [
                request.schoolID, Int64(heartbeat.sequence), heartbeat.sentAt.timeIntervalSince1970, received, payload,
            ])
            if db.changesCount > 0 { inserted.append(heartbeat) }
        }
        let previous: SchoolState?
        if let known = states[request.schoolID] {
            previous = known
        } else if let cached = cache.state(of: request.schoolID, storedSequence: storedSequence) {
            previous = cached
        } else {
            let json = try Data.fetchOne(
                db.cachedStatement(sql: SQLiteIngestSQL.selectState), arguments: [request.schoolID])
            previous = try json.map { try StoredJSON.decode(SchoolState.self, $0) }
        }
        let moved = try request.nextState(previous: previous, inserted: inserted)
        if let (next, json) = moved {
            try db.cachedStatement(sql: SQLiteIngestSQL.upsertState).execute(arguments: [request.schoolID, json])
            let status = SchoolStatus(next)
            try db.cachedStatement(sql: SQLiteIngestSQL.updateSchool).execute(arguments: [
                received, Int64(next.lastSequence), next.intervalSeconds, status.cameras, status.camerasRecording,
                status.minimumRetentionDays, request.schoolID,
            ])
            if SchoolFlagRows.changed(from: previous, to: next) {
                try db.cachedStatement(sql: SQLiteIngestSQL.clearFlags).execute(arguments: [request.schoolID])
                let insertFlag = try db.cachedStatement(sql: SQLiteIngestSQL.insertFlag)
                for mark in next.flags {
                    try insertFlag.execute(arguments: [
                        request.schoolID, mark.flag.rawValue, mark.since.timeIntervalSince1970,
                    ])
                }
            }
            states[request.schoolID] = next
        } else {
            try db.cachedStatement(sql: SQLiteIngestSQL.updateContact).execute(arguments: [received, request.schoolID])
            states[request.schoolID] = previous
        }
        let highest = max(
            moved?.state.lastSequence ?? 0, previous?.lastSequence ?? 0, inserted.map(\.sequence).max() ?? 0)
        return IngestResult(
            accepted: inserted.count, duplicates: request.heartbeats.count - inserted.count, highestSequence: highest)
    }
}

/// The ingest statements (prepared once per connection through GRDB's statement cache).
enum SQLiteIngestSQL {
    /// No row when the school was removed (`removed_schools`) and not registered again.
    /// The heartbeat's region (?3) never becomes the school's: the registry sets regions
    /// (`token create --role school --region`). One that differs is recorded (REGION_MISMATCH).
    static let upsertSchool = """
        INSERT INTO schools (id, name, registered_at, reported_region, region_mismatch_since)
        SELECT ?1, ?2, ?4, ?3, CASE WHEN ?3 IS NOT NULL THEN ?4 END WHERE NOT EXISTS (SELECT 1 FROM removed_schools WHERE id = ?1)
        ON CONFLICT (id) DO UPDATE SET name = COALESCE(schools.name, excluded.name),
            reported_region = CASE WHEN excluded.reported_region IS NOT schools.region THEN excluded.reported_region END,
            region_mismatch_since = CASE WHEN excluded.reported_region IS NOT NULL AND excluded.reported_region IS NOT schools.region
                THEN COALESCE(schools.region_mismatch_since, excluded.registered_at) END
        RETURNING last_sequence
        """
    static let insertHeartbeat =
        "INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
    static let selectState = "SELECT state_json FROM school_states WHERE school_id = ?"
    static let upsertState =
        "INSERT INTO school_states (school_id, state_json) VALUES (?, ?) ON CONFLICT (school_id) DO UPDATE SET state_json = excluded.state_json"
    static let updateSchool =
        "UPDATE schools SET last_contact_at = ?, last_sequence = ?, interval_seconds = ?, cameras = ?, cameras_recording = ?, minimum_retention_days = ? WHERE id = ?"
    /// A school's flag rows, rewritten only when its flags moved (`SchoolFlagRows`).
    static let clearFlags = "DELETE FROM school_flags WHERE school_id = ?"
    static let insertFlag = "INSERT INTO school_flags (school_id, flag, since) VALUES (?, ?, ?)"
    static let updateContact = "UPDATE schools SET last_contact_at = ? WHERE id = ?"
}
