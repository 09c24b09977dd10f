import Foundation
import KuzetProtocol
import Logging
import PostgresNIO

extension PostgresRegistryStore {
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

    /// How many groups took each of the two ways of writing (`write`).
    public var ingestPaths: PostgresIngestPaths { paths.value }

    /// Writes a group of requests (any schools) in one transaction, in one of two ways:
    /// - every school's state is in this instance's cache (the usual case: a school sends every 30 s
    ///   to the same instance): the new states are computed first and the group is ONE statement,
    ///   which checks that the stored sequences are still the cached ones (`writeKnown`);
    /// - otherwise, or when that check fails (another instance moved a school on): lock, read, compute,
    ///   write (`writeLocking`).
    ///
    /// Several registry instances share the database: both ways lock the group's school rows in id
    /// order until commit (one order everywhere, so two groups cannot deadlock); another instance's
    /// group with one of these schools waits, then sees the state this one committed. Requests are
    /// folded in arrival order, so two of one school in a group behave as if they had come one after
    /// another.
    static func write(
        _ requests: [IngestRequest], client: PostgresClient, cache: SchoolStateCache, paths: PostgresIngestPathCounter,
        logger: Logger
    ) async throws -> [IngestResult] {
        let group = IngestGroupRows(requests)
        if let known = cache.states(of: group.schools) {
            if let results = try await writeKnown(
                requests, group: group, known: known, client: client, cache: cache, logger: logger)
            {
                paths.count(known: true)
                return results
            }
            paths.count(known: false)
        }
        return try await writeLocking(requests, group: group, client: client, cache: cache, logger: logger)
    }

    /// The group in one statement (`PostgresIngestStatements.WriteKnown`): one round trip, committed
    /// on its own. Nil when the database did not hold the expected states (nothing was written).
    ///
    /// The states are computed before anything is stored, on the assumption that every heartbeat newer
    /// than its school's stored sequence is new (so stored by this statement): the general path keeps
    /// that true, as it moves the state to the newest heartbeat it stores. The statement checks it
    /// (KZ001 otherwise, rolled back). Older heartbeats do not move the state; whether they were new
    /// only changes the counts, which are taken from what the insert returned.
    static func writeKnown(
        _ requests: [IngestRequest], group: IngestGroupRows, known: [String: SchoolState], client: PostgresClient,
        cache: SchoolStateCache, logger: Logger
    ) async throws -> [IngestResult]? {
        var distinct = Set<StoredKey>()
        var fresh: Int64 = 0
        for request in requests {
            let storedSequence = known[request.schoolID]?.lastSequence ?? 0
            for heartbeat in request.heartbeats
            where distinct.insert(StoredKey(school: request.schoolID, sequence: Int64(heartbeat.sequence))).inserted {
                if heartbeat.sequence > storedSequence { fresh += 1 }
            }
        }
        var fold = try IngestGroupFold(requests, states: known, stored: distinct)
        let statement = PostgresIngestStatements.WriteKnown(
            group: group, expected: group.schools.map { Int64(known[$0]?.lastSequence ?? 0) }, fresh: fresh,
            update: .init(schools: group.schools, changes: fold.changes), flags: fold.flagRows)
        var stored = Set<StoredKey>()
        do {
            var stale = false
            for try await (isSchool, id, sequence) in try await client.execute(statement, logger: logger) {
                if isSchool {
                    if sequence != known[id].map({ Int64($0.lastSequence) }) { stale = true }
                } else if let sequence {
                    stored.insert(StoredKey(school: id, sequence: sequence))
                }
            }
            if stale { return nil }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "KZ001" {
            logger.warning(
                "a heartbeat newer than its school's state was already stored; the group is written the general way",
                metadata: ["schools": "\(group.schools.count)"])
            return nil
        }
        fold.recount(requests, stored: stored)
        cache.remember(fold.states)
        return fold.results
    }

    /// The group in a transaction of two statements, each over the whole group: lock the schools
    /// (reading their `last_sequence`) and insert the heartbeats, then write the new states — plus one
    /// to read the stored states this instance does not hold. With BEGIN and COMMIT that is four round
    /// trips to the server; both statements are prepared once per connection (`PostgresIngestStatements`).
    static func writeLocking(
        _ requests: [IngestRequest], group: IngestGroupRows, client: PostgresClient, cache: SchoolStateCache,
        logger: Logger
    ) async throws -> [IngestResult] {
        let fold: IngestGroupFold
        do {
            fold = try await lockAndWrite(requests, group: group, client: client, cache: cache, logger: logger)
        } catch let error as PostgresTransactionError {
            // Rolled back: a removed school is the caller's to report as such.
            if let removed = error.closureError as? SchoolRemovedError { throw removed }
            throw error
        }
        cache.remember(fold.states)
        return fold.results
    }

    /// `writeLocking`'s transaction.
    private static func lockAndWrite(
        _ requests: [IngestRequest], group: IngestGroupRows, client: PostgresClient, cache: SchoolStateCache,
        logger: Logger
    ) async throws -> IngestGroupFold {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.execute(
                PostgresIngestStatements.LockAndInsert(group: group), logger: logger)
            // The stored states: from this instance's cache where it holds the stored sequence, else read.
            var states: [String: SchoolState] = [:]
            var misses: [String] = []
            var stored = Set<StoredKey>()
            var locked = Set<String>()
            for try await (isSchool, id, sequence) in rows {
                if isSchool { locked.insert(id) }
                if !isSchool {
                    if let sequence { stored.insert(StoredKey(school: id, sequence: sequence)) }
                } else if let cached = cache.state(of: id, storedSequence: sequence) {
                    states[id] = cached
                } else if sequence != nil {
                    misses.append(id)
                }
            }
            // A removed school has no row: the whole group is rolled back (and written again request by
            // request, `IngestGroupWriter`), so only that school's request fails.
            if let removed = group.schools.first(where: { !locked.contains($0) }) {
                throw SchoolRemovedError(schoolID: removed)
            }
            if !misses.isEmpty {
                let rows = try await connection.query(
                    "SELECT id, state_json FROM schools WHERE id = ANY(\(misses)::text[])", logger: logger)
                for try await (id, json) in rows.decode((String, String?).self) {
                    if let json { states[id] = try StoredJSON.decode(SchoolState.self, Data(json.utf8)) }
                }
            }
            let fold = try IngestGroupFold(requests, states: states, stored: stored)
            try await connection.execute(
                PostgresIngestStatements.UpdateSchools(schools: group.schools, changes: fold.changes), logger: logger)
            let flags = fold.flagRows
            if !flags.reset.isEmpty {
                _ = try await connection.execute(PostgresIngestStatements.WriteFlags(rows: flags), logger: logger)
            }
            return fold
        }
    }
}

/// The columns a group's statements take, built once from its requests.
struct IngestGroupRows {
    /// The group's schools in id order, each with the first name and the first region a request
    /// gave ('' = none) and its first request's arrival (the registration time of a new school).
    var schools: [String] = []
    var names: [String] = []
    var regions: [String] = []
    var registeredAt: [Double] = []
    /// One element per heartbeat, in request order.
    var heartbeatSchools: [String] = []
    var sequences: [Int64] = []
    var sentAt: [Double] = []
    var receivedAt: [Double] = []
    var payloads: [String] = []

    init(_ requests: [IngestRequest]) {
        var first: [String: (name: String, region: String, received: Double)] = [:]
        for request in requests {
            let info = request.heartbeats.last?.school
            var school =
                first[request.schoolID] ?? (name: "", region: "", received: request.receivedAt.timeIntervalSince1970)
            if school.name.isEmpty { school.name = info?.name ?? "" }
            if school.region.isEmpty { school.region = info?.region ?? "" }
            first[request.schoolID] = school
            for (heartbeat, payload) in zip(request.heartbeats, request.payloads) {
                heartbeatSchools.append(request.schoolID)
                sequences.append(Int64(heartbeat.sequence))
                sentAt.append(heartbeat.sentAt.timeIntervalSince1970)
                receivedAt.append(request.receivedAt.timeIntervalSince1970)
                payloads.append(String(decoding: payload, as: UTF8.self))
            }
        }
        schools = first.keys.sorted()
        names = schools.map { first[$0]!.name }
        regions = schools.map { first[$0]!.region }
        registeredAt = schools.map { first[$0]!.received }
    }
}

/// A group's requests folded in arrival order over the schools' stored states.
struct IngestGroupFold {
    var results: [IngestResult] = []
    /// Every school of the group: its newest contact and, if it moved, its new state.
    var changes: [String: SchoolChange] = [:]
    /// The states after the group (the stored ones where nothing moved).
    var states: [String: SchoolState]
    /// The states before the group (to tell whose flags moved).
    let before: [String: SchoolState]

    /// - Parameter stored: the group's heartbeats that are new in the database; a heartbeat sent twice
    ///   within the group counts for the first request that has it.
    init(_ requests: [IngestRequest], states: [String: SchoolState], stored: Set<StoredKey>) throws {
        self.states = states
        before = states
        var stored = stored
        for request in requests {
            let inserted = request.heartbeats.filter {
                stored.remove(StoredKey(school: request.schoolID, sequence: Int64($0.sequence))) != nil
            }
            let previous = self.states[request.schoolID]
            let moved = try request.nextState(previous: previous, inserted: inserted)
            var change = changes[request.schoolID] ?? SchoolChange(contact: request.receivedAt.timeIntervalSince1970)
            change.contact = max(change.contact, request.receivedAt.timeIntervalSince1970)
            if let moved {
                self.states[request.schoolID] = moved.state
                change.state = moved.state
                change.stateJSON = moved.json
            }
            changes[request.schoolID] = change
            let highest = max(
                moved?.state.lastSequence ?? 0, previous?.lastSequence ?? 0, inserted.map(\.sequence).max() ?? 0)
            results.append(
                IngestResult(
                    accepted: inserted.count, duplicates: request.heartbeats.count - inserted.count,
                    highestSequence: highest))
        }
    }

    /// The flag rows of the schools whose flags the group moved, in id order.
    var flagRows: PostgresIngestStatements.FlagRows {
        var rows = PostgresIngestStatements.FlagRows()
        for (id, change) in changes.sorted(by: { $0.key < $1.key }) {
            guard let state = change.state, SchoolFlagRows.changed(from: before[id], to: state) else { continue }
            rows.reset.append(id)
            for mark in state.flags {
                rows.schools.append(id)
                rows.flags.append(mark.flag.rawValue)
                rows.since.append(mark.since.timeIntervalSince1970)
            }
        }
        return rows
    }

    /// Counts accepted and duplicate heartbeats again from what the database stored (the states do
    /// not depend on it: see `PostgresRegistryStore.writeKnown`).
    mutating func recount(_ requests: [IngestRequest], stored: Set<StoredKey>) {
        var stored = stored
        for (index, request) in requests.enumerated() {
            let accepted = request.heartbeats.filter {
                stored.remove(StoredKey(school: request.schoolID, sequence: Int64($0.sequence))) != nil
            }.count
            results[index].accepted = accepted
            results[index].duplicates = request.heartbeats.count - accepted
        }
    }
}

extension PostgresIngestStatements.UpdateSchools {
    /// Each school's contact time and, where it moved, its state and status columns, in `schools` order.
    init(schools: [String], changes: [String: SchoolChange]) {
        let rows = schools.map { changes[$0] ?? SchoolChange(contact: 0) }
        let statuses = rows.map { $0.state.map(SchoolStatus.init) }
        self.init(
            ids: schools, contacts: rows.map(\.contact), sequences: rows.map { Int64($0.state?.lastSequence ?? 0) },
            intervals: rows.map { Int64($0.state?.intervalSeconds ?? 0) },
            jsons: rows.map { row in row.stateJSON.map { String(decoding: $0, as: UTF8.self) } ?? "" },
            cameras: statuses.map { Int64($0?.cameras ?? 0) },
            recording: statuses.map { Int64($0?.camerasRecording ?? 0) },
            minimumRetention: statuses.map { $0?.minimumRetentionDays ?? .nan })
    }
}
