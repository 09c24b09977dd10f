import Foundation
import KuzetCore
import KuzetRegistry
import Logging

/// Heartbeats through the real registry server (HTTP on loopback, JSON, validation, auth, store).
enum IngestRun {
    /// Closed loop: `options.connections` clients, each sending its next request once answered.
    static func run(kind: BenchStore, options: BenchOptions, batch: Int) async throws -> (
        rate: Double, groups: (statistics: IngestGroupStatistics, seconds: Double)?
    ) {
        let workload = BenchWorkload(total: options.heartbeats, batch: batch, schoolCount: 1000, seed: 2)
        return try await withServer(kind: kind, options: options, workload: workload, name: "batch=\(batch)") {
            registry, requests, port in
            let start = Date()
            let before = Self.statistics(registry.store)
            try await LoadGenerator.run(requests, connections: options.connections, port: port)
            let elapsed = Date().timeIntervalSince(start)
            let rate = Double(options.heartbeats) / elapsed
            var groups = Self.statistics(registry.store)
            if let before, groups != nil {
                groups!.groups -= before.groups
                groups!.requests -= before.requests
                groups!.writingSeconds -= before.writingSeconds
            }
            return (rate, groups.map { ($0, elapsed) })
        }
    }

    /// The schools of a fleet, each agent on its own keep-alive connection, one heartbeat per request.
    static let fleetAgents = 1000
    /// Untimed heartbeats per school before a fleet run's clock starts.
    static let fleetWarmUpRounds = 2
    /// How long a fleet run offers its rate.
    static let fleetSeconds = 10.0

    /// Open loop: `fleetAgents` schools, each on its own connection, together offering `rate`
    /// heartbeats per second for `fleetSeconds` — the national fleet's shape (many agents, each
    /// sending on its own clock), compressed in time.
    static func fleet(kind: BenchStore, options: BenchOptions, rate: Double) async throws -> LoadGenerator.Schedule {
        let total = Int(rate * fleetSeconds)
        // Request i is school i % 1000: with 1000 connections, each connection is one school, in order.
        let workload = BenchWorkload(
            total: fleetWarmUpRounds * fleetAgents + total, batch: 1, schoolCount: fleetAgents, seed: 3)
        return try await withServer(kind: kind, options: options, workload: workload, name: "fleet \(Int(rate)) hb/s") {
            _, requests, port in
            // Untimed, every school's first two heartbeats on its connection: its token and state are
            // then known, and the store has taken both its ways of writing (new school, known state),
            // as in a registry that has been running (not the minute after a restart).
            let warmUp = fleetWarmUpRounds * fleetAgents
            let client = OpenLoopClient(
                connections: fleetAgents, warmUp: Array(requests.prefix(warmUp)),
                requests: Array(requests.dropFirst(warmUp)), rate: rate, port: port)
            return try await client.run()
        }
    }

    /// A fresh database and server with the workload's schools registered and their requests serialised.
    private static func withServer<T: Sendable>(
        kind: BenchStore, options: BenchOptions, workload: BenchWorkload, name: String,
        _ body: @Sendable @escaping (Registry, [[UInt8]], Int) async throws -> T
    ) async throws -> T {
        let database = try BenchDatabase.fresh(kind, options: options, name: "ingest")
        defer { database.cleanup() }
        return try await BenchServer.with(database.location) { registry, port in
            var tokens: [String: String] = [:]
            for school in workload.schools {
                try await registry.store.register(
                    SchoolRegistration(id: school, region: "R\(school.suffix(1))"), at: Date())
                let token = AccessToken.generate(role: .school)
                try await registry.store.insert(
                    StoredToken(
                        hash: AccessToken.hash(token), principal: Principal(role: .school, schoolID: school),
                        createdAt: Date()))
                tokens[school] = token
            }
            let requests = workload.requests.map { request in
                LoadGenerator.post(
                    path: "/api/v1/heartbeats",
                    headers: [
                        ("Authorization", "Bearer \(tokens[request.schoolID]!)"), ("Content-Type", "application/json"),
                    ],
                    body: request.body)
            }
            // Progress on stderr, so a profiler can be started for the server's part alone.
            FileHandle.standardError.write(
                Data("kuzet-registry-bench: \(kind.rawValue) \(name): server ingest starts\n".utf8))
            return try await body(registry, requests, port)
        }
    }

    /// The store's group-commit figures (transactions and requests so far).
    static func statistics(_ store: any RegistryStore) -> IngestGroupStatistics? {
        if let store = store as? SQLiteRegistryStore { return store.ingestStatistics }
        if let store = store as? PostgresRegistryStore { return store.ingestStatistics }
        return nil
    }
}
