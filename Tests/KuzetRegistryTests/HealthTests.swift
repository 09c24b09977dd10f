import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetRegistry
import KuzetTestKit
import Logging
import NIOCore
import Testing

@Suite("Health check", .timeLimit(.minutes(1)))
struct HealthTests {
    @Test("/healthz answers 200 ok when the database answers", arguments: StoreKind.allCases)
    func healthyWithDatabase(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let response = try await registry.get("/healthz", token: nil)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "ok\n")
        }
    }

    @Test("/healthz answers 503 saying the database is unreachable when PostgreSQL is not there")
    func unhealthyWithoutDatabase() async throws {
        let port = freeLoopbackPort() // nothing listens there
        guard case .postgres(let location) = try DatabaseLocation(parsing: "postgres://kuzet@127.0.0.1:\(port)/kuzet")
        else { return }
        let store = try PostgresRegistryStore(location: location, logger: Logger(label: "kuzet.registry.test"))
        let server = RegistryServer(registry: Registry(store: store), host: "127.0.0.1", port: 0)
        try await withThrowingTaskGroup(of: Void.self) { services in
            services.addTask { try await store.run() }
            defer { services.cancelAll() }
            try await server.application().test(.live) { client in
                let started = ContinuousClock.now
                let response = try await client.execute(uri: "/healthz", method: .get)
                #expect(response.status == .serviceUnavailable)
                let body = String(buffer: response.body)
                #expect(
                    body.hasPrefix("unhealthy: database:")
                        && body.contains(" — check that the database server is running"), "\(body)")
                #expect(ContinuousClock.now - started < .seconds(5))
            }
        }
    }
}
