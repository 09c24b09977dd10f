import Foundation
import KuzetRegistry
import Logging

/// Heartbeats through the real registry server (HTTP on loopback, JSON, validation, auth, store).
enum IngestRun {
    static func run(kind: BenchStore, options: BenchOptions, batch: Int) async throws -> (rate: Double, groups: (statistics: IngestGroupStatistics, seconds: Double)?) {
        let workload = BenchWorkload(total: options.heartbeats, batch: batch, schoolCount: 1000, seed: 2)
        let database = try BenchDatabase.fresh(kind, options: options, name: "ingest")
        defer { database.cleanup() }
        return try await BenchServer.with(database.location) { registry, port in
            var tokens: [String: String] = [:]
            for school in workload.schools {
                try await registry.store.register(SchoolRegistration(id: school, region: "R\(school.suffix(1))"), at: Date())
                let token = AccessToken.generate(role: .school)
                try await registry.store.insert(StoredToken(hash: AccessToken.hash(token), principal: Principal(role: .school, schoolID: school), createdAt: Date()))
                tokens[school] = token
            }
            let requests = workload.requests.map { request in
                LoadGenerator.post(
                    path: "/api/v1/heartbeats",
                    headers: [("Authorization", "Bearer \(tokens[request.schoolID]!)"), ("Content-Type", "application/json")],
                    body: request.body)
            }
            // Progress on stderr, so a profiler can be started for the server's part alone.
            FileHandle.standardError.write(Data("kuzet-registry-bench: \(kind.rawValue) batch=\(batch): server ingest starts\n".utf8))
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

    /// The store's group-commit figures (transactions and requests so far).
    static func statistics(_ store: any RegistryStore) -> IngestGroupStatistics? {
        if let store = store as? SQLiteRegistryStore { return store.ingestStatistics }
        if let store = store as? PostgresRegistryStore { return store.ingestStatistics }
        return nil
    }
}
