import Foundation
import KuzetProtocol
import Logging
import PostgresNIO

extension PostgresRegistryStore {
    public func ingest(schoolID: String, heartbeats: [Heartbeat], payloads: [Data], receivedAt: Date, policy: FlagPolicy) async throws -> IngestResult {
        precondition(payloads.count == heartbeats.count, "one payload per heartbeat")
        return try await groupWriter.submit(
            IngestRequest(schoolID: schoolID, heartbeats: heartbeats, payloads: payloads, receivedAt: receivedAt, policy: policy))
    }

    /// How grouped ingest has gone in this store instance.
    public var ingestStatistics: IngestGroupStatistics { groupWriter.statistics }

    /// A group of requests (any schools) in one transaction of three statements, each over the whole
    /// group: lock the schools (reading their `last_sequence`), insert the heartbeats, write the new
    /// states — plus one to read the stored states this instance does not hold (`SchoolStateCache`).
    ///
    /// Several registry instances share the database: the first statement upserts the group's school
    /// rows in id order, which locks them until commit (in one order everywhere, so two groups cannot
    /// deadlock); another instance's group with one of these schools waits, then reads the state this
    /// one committed. Requests are folded in arrival order, so two of one school in a group behave as
    /// if they had come one after another.
    static func write(_ requests: [IngestRequest], client: PostgresClient, cache: SchoolStateCache, logger: Logger) async throws -> [IngestResult] {
        // The group's schools, each with the first name and the first region a request gave ('' = none).
        var schools: [String: (name: String, region: String, received: Double)] = [:]
        for request in requests {
            let info = request.heartbeats.last?.school
            var school = schools[request.schoolID] ?? (name: "", region: "", received: request.receivedAt.timeIntervalSince1970)
            if school.name.isEmpty { school.name = info?.name ?? "" }
            if school.region.isEmpty { school.region = info?.region ?? "" }
            schools[request.schoolID] = school
        }
        let ids = schools.keys.sorted()
        var heartbeatSchools: [String] = []
        var sequences: [Int64] = []
        var sentTimes: [Double] = []
        var receivedTimes: [Double] = []
        var payloads: [String] = []
        for request in requests {
            for (heartbeat, payload) in zip(request.heartbeats, request.payloads) {
                heartbeatSchools.append(request.schoolID)
                sequences.append(Int64(heartbeat.sequence))
                sentTimes.append(heartbeat.sentAt.timeIntervalSince1970)
                receivedTimes.append(request.receivedAt.timeIntervalSince1970)
                payloads.append(String(decoding: payload, as: UTF8.self))
            }
        }
        let (results, states) = try await client.withTransaction(logger: logger) { connection in
            let names = ids.map { schools[$0]!.name }
            let regions = ids.map { schools[$0]!.region }
            let registered = ids.map { schools[$0]!.received }
            let stateRows = try await connection.query(
                """
                INSERT INTO schools (id, name, region, registered_at)
                SELECT i, NULLIF(n, ''), NULLIF(r, ''), t FROM unnest(\(ids)::text[], \(names)::text[], \(regions)::text[], \(registered)::float8[]) AS u(i, n, r, t)
                ORDER BY i
                ON CONFLICT (id) DO UPDATE SET name = COALESCE(schools.name, excluded.name), region = COALESCE(schools.region, excluded.region)
                RETURNING id, last_sequence
                """, logger: logger)
            // The stored states: from this instance's cache where it holds the stored sequence, else read.
            var states: [String: SchoolState] = [:]
            var misses: [String] = []
            for try await (id, sequence) in stateRows.decode((String, Int64?).self) {
                if let cached = cache.state(of: id, storedSequence: sequence) {
                    states[id] = cached
                } else if sequence != nil {
                    misses.append(id)
                }
            }
            if !misses.isEmpty {
                let rows = try await connection.query("SELECT id, state_json FROM schools WHERE id = ANY(\(misses)::text[])", logger: logger)
                for try await (id, json) in rows.decode((String, String?).self) {
                    if let json { states[id] = try StoredJSON.decode(SchoolState.self, Data(json.utf8)) }
                }
            }
            let insertedRows = try await connection.query(
                """
                INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload)
                SELECT * FROM unnest(\(heartbeatSchools)::text[], \(sequences)::bigint[], \(sentTimes)::float8[], \(receivedTimes)::float8[], \(payloads)::text[])
                ON CONFLICT DO NOTHING RETURNING school_id, sequence
                """, logger: logger)
            var stored = Set<StoredKey>()
            for try await (school, sequence) in insertedRows.decode((String, Int64).self) { stored.insert(StoredKey(school: school, sequence: sequence)) }

            var results: [IngestResult] = []
            var changes: [String: SchoolChange] = [:]
            for request in requests {
                // A heartbeat sent twice within the group is stored once: the first request has it.
                let inserted = request.heartbeats.filter { stored.remove(StoredKey(school: request.schoolID, sequence: Int64($0.sequence))) != nil }
                let previous = states[request.schoolID]
                let next = IngestFold.fold(previous: previous, inserted: inserted, receivedAt: request.receivedAt, policy: request.policy)
                var change = changes[request.schoolID] ?? SchoolChange(contact: request.receivedAt.timeIntervalSince1970)
                change.contact = max(change.contact, request.receivedAt.timeIntervalSince1970)
                if let next {
                    states[request.schoolID] = next
                    change.state = next
                    change.stateJSON = try request.stateJSON(next)
                }
                changes[request.schoolID] = change
                let highest = max(next?.lastSequence ?? 0, previous?.lastSequence ?? 0, inserted.map(\.sequence).max() ?? 0)
                results.append(IngestResult(accepted: inserted.count, duplicates: request.heartbeats.count - inserted.count, highestSequence: highest))
            }
            try await Self.update(changes, connection: connection, logger: logger)
            return (results, states)
        }
        cache.remember(states)
        return results
    }

    /// Writes each school's contact time and, where it moved, its state and flag columns (one statement).
    static func update(_ changes: [String: SchoolChange], connection: PostgresConnection, logger: Logger) async throws {
        let ids = Array(changes.keys)
        let rows = ids.map { changes[$0]! }
        let contacts = rows.map(\.contact)
        let sequences = rows.map { Int64($0.state?.lastSequence ?? 0) }
        let intervals = rows.map { Int64($0.state?.intervalSeconds ?? 0) }
        let jsons = rows.map { row in row.stateJSON.map { String(decoding: $0, as: UTF8.self) } ?? "" }
        // NaN stands for "flag not set" (arrays cannot carry NULL here).
        let since = { (flag: SchoolFlag) in rows.map { $0.state?.flags.since(flag)?.timeIntervalSince1970 ?? .nan } }
        let notRecording = since(.notRecording)
        let notDelivering = since(.notDelivering)
        let retentionBelow = since(.retentionBelowMinimum)
        let diskPressure = since(.diskPressure)
        let clockSkew = since(.clockSkew)
        let statuses = rows.map { $0.state.map(SchoolStatus.init) }
        let cameras = statuses.map { Int64($0?.cameras ?? 0) }
        let recording = statuses.map { Int64($0?.camerasRecording ?? 0) }
        let minimumRetention = statuses.map { $0?.minimumRetentionDays ?? .nan }
        try await connection.query(
            """
            UPDATE schools AS s SET last_contact_at = u.contact,
                last_sequence = CASE WHEN u.json <> '' THEN u.seq ELSE s.last_sequence END,
                interval_seconds = CASE WHEN u.json <> '' THEN u.iv ELSE s.interval_seconds END,
                state_json = CASE WHEN u.json <> '' THEN u.json ELSE s.state_json END,
                not_recording_since = CASE WHEN u.json <> '' THEN NULLIF(u.nr, 'NaN') ELSE s.not_recording_since END,
                not_delivering_since = CASE WHEN u.json <> '' THEN NULLIF(u.nd, 'NaN') ELSE s.not_delivering_since END,
                retention_below_since = CASE WHEN u.json <> '' THEN NULLIF(u.rb, 'NaN') ELSE s.retention_below_since END,
                disk_pressure_since = CASE WHEN u.json <> '' THEN NULLIF(u.dp, 'NaN') ELSE s.disk_pressure_since END,
                clock_skew_since = CASE WHEN u.json <> '' THEN NULLIF(u.cs, 'NaN') ELSE s.clock_skew_since END,
                cameras = CASE WHEN u.json <> '' THEN u.cam ELSE s.cameras END,
                cameras_recording = CASE WHEN u.json <> '' THEN u.rec ELSE s.cameras_recording END,
                minimum_retention_days = CASE WHEN u.json <> '' THEN NULLIF(u.mrd, 'NaN') ELSE s.minimum_retention_days END
            FROM unnest(\(ids)::text[], \(contacts)::float8[], \(sequences)::bigint[], \(intervals)::bigint[], \(jsons)::text[],
                \(notRecording)::float8[], \(notDelivering)::float8[], \(retentionBelow)::float8[], \(diskPressure)::float8[], \(clockSkew)::float8[],
                \(cameras)::bigint[], \(recording)::bigint[], \(minimumRetention)::float8[])
                AS u(id, contact, seq, iv, json, nr, nd, rb, dp, cs, cam, rec, mrd)
            WHERE s.id = u.id
            """, logger: logger)
    }
}
