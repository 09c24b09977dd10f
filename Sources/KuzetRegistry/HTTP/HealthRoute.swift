import Foundation
import Hummingbird
import Logging

/// `GET /healthz`: 200 "ok" when the database answers within 2 s, else 503 saying so — for a load
/// balancer in front of several instances, and for the integrator's first check.
struct HealthRoute {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/healthz") { _, _ in try await check() }
    }

    func check() async throws -> Response {
        let store = registry.store
        let outcome: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await store.ping()
                    return nil
                } catch {
                    return "database: \(String(describing: error).prefix(200)) — check that the database server is running and reachable"
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return "database: no answer within 2 s — check that the database server is running and reachable"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let problem = outcome else { return JSONResponse.text("ok\n", contentType: "text/plain; charset=utf-8") }
        registry.logger.warning("health check failed", metadata: ["registry.health.problem": "\(problem)"])
        return JSONResponse.text("unhealthy: \(problem)\n", contentType: "text/plain; charset=utf-8", status: .serviceUnavailable)
    }
}
