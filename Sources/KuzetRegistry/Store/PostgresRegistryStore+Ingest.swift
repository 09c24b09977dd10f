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

    /// A group of requests (any schools) in one transaction of two statements, each over the whole
    /// group: lock the schools (reading their `last_sequence`) and insert the heartbeats, then write the
    /// new states — plus one to read the stored states this instance does not hold (`SchoolStateCache`).
    /// With BEGIN and COMMIT that is four round trips to the server; both statements are prepared
    /// once per connection (`PostgresIngestStatements`).
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
            let rows = try await connection.execute(
                PostgresIngestStatements.LockAndInsert(
                    schools: ids, names: names, regions: regions, registeredAt: registered, heartbeatSchools: heartbeatSchools,
                    sequences: sequences, sentAt: sentTimes, receivedAt: receivedTimes, payloads: payloads),
                logger: logger)
            // The stored states: from this instance's cache where it holds the stored sequence, else read.
            var states: [String: SchoolState] = [:]
            var misses: [String] = []
            var stored = Set<StoredKey>()
            for try await (isSchool, id, sequence) in rows {
                if !isSchool {
                    if let sequence { stored.insert(StoredKey(school: id, sequence: sequence)) }
                } else if let cached = cache.state(of: id, storedSequence: sequence) {
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
        try await connection.execute(
            PostgresIngestStatements.UpdateSchools(
                ids: ids, contacts: contacts, sequences: sequences, intervals: intervals, jsons: jsons, notRecording: notRecording,
                notDelivering: notDelivering, retentionBelow: retentionBelow, diskPressure: diskPressure, clockSkew: clockSkew,
                cameras: cameras, recording: recording, minimumRetention: minimumRetention),
            logger: logger)
    }
}
