import Foundation
import GRDB
import KuzetCore
import KuzetRegistry
import Logging
import PostgresNIO

/// The floor: the same rows (heartbeat rows + the school's state row) written straight into the
/// database by a minimal program — no HTTP, no JSON parsing, no validation.
///
/// - `group: nil` — one transaction per request (SQLite: one after another; PostgreSQL: one per
///   connection at a time, `--connections` of them).
/// - `group: n` — `n` requests per transaction, as the server's group commit does (SQLite: one
///   writer; PostgreSQL: as many writers as the server's store uses), for a fair comparison when the
///   server groups more than one request per commit.
enum Floor {
    static func run(kind: BenchStore, options: BenchOptions, batch: Int, group: Int? = nil) async throws -> Double {
        let workload = BenchWorkload(total: options.heartbeats, batch: batch, schoolCount: 1000, seed: 1)
        let database = try BenchDatabase.fresh(kind, options: options, name: "floor")
        defer { database.cleanup() }
        try await RegistryStores.with(database.location, logger: Logger(label: "bench")) { store in
            for school in workload.schools { try await store.register(SchoolRegistration(id: school), at: Date()) }
        }
        let size = max(group ?? 1, 1)
        let chunks = stride(from: 0, to: workload.requests.count, by: size).map {
            Array(workload.requests[$0..<min($0 + size, workload.requests.count)])
        }
        switch database.location {
        case .sqlite(let path):
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let pool = try DatabasePool(path: path, configuration: configuration)
            // After the pool is open: setting up WAL turns its writer to NORMAL (as the store does).
            try await pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            let start = Date()
            for chunk in chunks {
                try await pool.write { db in
                    for request in chunk {
                        for row in request.rows {
                            try db.execute(
                                sql:
                                    "INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                arguments: [request.schoolID, row.0, row.1, row.1, Data(row.2.utf8)])
                        }
                        try db.execute(
                            sql:
                                "INSERT INTO school_states (school_id, state_json) VALUES (?, ?) ON CONFLICT (school_id) DO UPDATE SET state_json = excluded.state_json",
                            arguments: [request.schoolID, Data(request.stateJSON.utf8)])
                        try db.execute(
                            sql:
                                "UPDATE schools SET last_contact_at = ?, last_sequence = ?, interval_seconds = 30 WHERE id = ?",
                            arguments: [Date().timeIntervalSince1970, request.rows.last!.0, request.schoolID])
                    }
                }
            }
            return Double(options.heartbeats) / Date().timeIntervalSince(start)
        case .postgres(let location):
            let client = PostgresClient(
                configuration: .init(
                    host: location.host, port: location.port, username: location.username, password: location.password,
                    database: location.database, tls: .disable))
            let workers = group == nil ? options.connections : PostgresRegistryStore.ingestWriters
            return try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { await client.run() }
                defer { services.cancelAll() }
                let start = Date()
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    for worker in 0..<workers {
                        tasks.addTask {
                            for chunk in stride(from: worker, to: chunks.count, by: workers).map({ chunks[$0] }) {
                                try await write(chunk, client: client)
                            }
                        }
                    }
                    try await tasks.waitForAll()
                }
                return Double(options.heartbeats) / Date().timeIntervalSince(start)
            }
        }
    }

    /// One transaction: every heartbeat row of `requests` in one statement, then each school's row.
    static func write(_ requests: [BenchWorkload.Request], client: PostgresClient) async throws {
        let logger = Logger(label: "bench")
        try await client.withTransaction(logger: logger) { connection in
            let schools = requests.flatMap { request in request.rows.map { _ in request.schoolID } }
            let sequences = requests.flatMap { $0.rows.map(\.0) }
            let times = requests.flatMap { $0.rows.map(\.1) }
            let payloads = requests.flatMap { $0.rows.map(\.2) }
            try await connection.query(
                """
                INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload)
                SELECT i, s, t, t, p FROM unnest(\(schools)::text[], \(sequences)::bigint[], \(times)::float8[], \(payloads)::text[]) AS u(i, s, t, p)
                ON CONFLICT DO NOTHING
                """, logger: logger)
            if requests.count == 1, let request = requests.first {
                try await connection.query(
                    "UPDATE schools SET last_contact_at = \(Date().timeIntervalSince1970), last_sequence = \(sequences.last!), interval_seconds = 30, state_json = \(request.stateJSON) WHERE id = \(request.schoolID)",
                    logger: logger)
            } else {
                // The newest request of each school (as the server writes each school once per group).
                var newest: [String: BenchWorkload.Request] = [:]
                for request in requests { newest[request.schoolID] = request }
                // in one order everywhere, as the server locks them (two writers must not deadlock)
                let ids = newest.keys.sorted()
                let lastSequences = ids.map { newest[$0]!.rows.last!.0 }
                let states = ids.map { newest[$0]!.stateJSON }
                try await connection.query(
                    """
                    UPDATE schools AS s SET last_contact_at = \(Date().timeIntervalSince1970), last_sequence = u.q, interval_seconds = 30, state_json = u.j
                    FROM unnest(\(ids)::text[], \(lastSequences)::bigint[], \(states)::text[]) AS u(i, q, j) WHERE s.id = u.i
                    """, logger: logger)
            }
        }
    }
}
