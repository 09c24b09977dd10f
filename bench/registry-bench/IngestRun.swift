import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetRegistry
import Logging
import NIOCore

/// Heartbeats through the real registry server (HTTP on loopback, JSON, validation, auth, store).
enum IngestRun {
    static func run(kind: BenchStore, options: BenchOptions, batch: Int) async throws -> (rate: Double, groups: IngestGroupStatistics?) {
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
                TestClient.Request(
                    "/api/v1/heartbeats", method: .post,
                    headers: [.authorization: "Bearer \(tokens[request.schoolID]!)", .contentType: "application/json"],
                    body: ByteBuffer(bytes: request.body))
            }
            let start = Date()
            let before = Self.statistics(registry.store)
            try await withThrowingTaskGroup(of: Void.self) { workers in
                for worker in 0..<options.connections {
                    workers.addTask {
                        let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60)))
                        client.connect()
                        defer { Task { try? await client.shutdown() } }
                        for index in stride(from: worker, to: requests.count, by: options.connections) {
                            let response = try await client.execute(requests[index])
                            guard response.status == .ok else { throw BenchError("ingest: HTTP \(response.status)") }
                        }
                    }
                }
                try await workers.waitForAll()
            }
            let rate = Double(options.heartbeats) / Date().timeIntervalSince(start)
            var groups = Self.statistics(registry.store)
            if let before, groups != nil {
                groups!.groups -= before.groups
                groups!.requests -= before.requests
            }
            return (rate, groups)
        }
    }

    /// The store's group-commit figures (transactions and requests so far).
    static func statistics(_ store: any RegistryStore) -> IngestGroupStatistics? {
        if let store = store as? SQLiteRegistryStore { return store.ingestStatistics }
        if let store = store as? PostgresRegistryStore { return store.ingestStatistics }
        return nil
    }
}
