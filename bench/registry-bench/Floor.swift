import Foundation
import GRDB
import KuzetRegistry
import Logging
import PostgresNIO

/// The floor: the same rows (heartbeat rows + the school's state row), one transaction per request,
/// written straight into the database by a minimal program — no HTTP, no JSON parsing, no validation.
enum Floor {
    static func run(kind: BenchStore, options: BenchOptions, batch: Int) async throws -> Double {
        let workload = BenchWorkload(total: options.heartbeats, batch: batch, schoolCount: 1000, seed: 1)
        let database = try BenchDatabase.fresh(kind, options: options, name: "floor")
        defer { database.cleanup() }
        try await RegistryStores.with(database.location, logger: Logger(label: "bench")) { store in
            for school in workload.schools { try await store.register(SchoolRegistration(id: school), at: Date()) }
        }
        switch database.location {
        case .sqlite(let path):
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let pool = try DatabasePool(path: path, configuration: configuration)
            let start = Date()
            for request in workload.requests {
                try await pool.write { db in
                    for row in request.rows {
                        try db.execute(
                            sql: "INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                            arguments: [request.schoolID, row.0, row.1, row.1, Data(row.2.utf8)])
                    }
                    try db.execute(
                        sql: "INSERT INTO school_states (school_id, state_json) VALUES (?, ?) ON CONFLICT (school_id) DO UPDATE SET state_json = excluded.state_json",
                        arguments: [request.schoolID, Data(request.stateJSON.utf8)])
                    try db.execute(
                        sql: "UPDATE schools SET last_contact_at = ?, last_sequence = ?, interval_seconds = 30 WHERE id = ?",
                        arguments: [Date().timeIntervalSince1970, request.rows.last!.0, request.schoolID])
                }
            }
            return Double(options.heartbeats) / Date().timeIntervalSince(start)
        case .postgres(let location):
            let client = PostgresClient(
                configuration: .init(host: location.host, port: location.port, username: location.username, password: location.password, database: location.database, tls: .disable))
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let requests = workload.requests
                let start = Date()
                try await withThrowingTaskGroup(of: Void.self) { workers in
                    for worker in 0..<options.connections {
                        workers.addTask {
                            for request in stride(from: worker, to: requests.count, by: options.connections).map({ requests[$0] }) {
                                try await client.withTransaction(logger: Logger(label: "bench")) { connection in
                                    let sequences = request.rows.map(\.0)
                                    let times = request.rows.map(\.1)
                                    let payloads = request.rows.map(\.2)
                                    try await connection.query(
                                        """
                                        INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload)
                                        SELECT \(request.schoolID), s, t, t, p FROM unnest(\(sequences)::bigint[], \(times)::float8[], \(payloads)::text[]) AS u(s, t, p)
                                        ON CONFLICT DO NOTHING
                                        """, logger: Logger(label: "bench"))
                                    try await connection.query(
                                        "UPDATE schools SET last_contact_at = \(Date().timeIntervalSince1970), last_sequence = \(sequences.last!), interval_seconds = 30, state_json = \(request.stateJSON) WHERE id = \(request.schoolID)",
                                        logger: Logger(label: "bench"))
                                }
                            }
                        }
                    }
                    try await workers.waitForAll()
                }
                return Double(options.heartbeats) / Date().timeIntervalSince(start)
            }
        }
    }
}
