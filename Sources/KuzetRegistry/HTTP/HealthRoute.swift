import Foundation
import Hummingbird
import Logging
import Synchronization

/// `GET /healthz`: 200 "ok" when the database answers within 2 s, else 503 saying so — for a load
/// balancer in front of several instances, and for the integrator's first check.
struct HealthRoute {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/healthz") { _, _ in try await check() }
    }

    func check() async throws -> Response {
        let store = registry.store
        // Answers at 2 s at the latest: the ping is cancelled then, but not waited for (a connection
        // attempt to an unreachable server may take a while to notice its cancellation).
        let outcome: String? = await withCheckedContinuation { continuation in
            let answer = Mutex<CheckedContinuation<String?, Never>?>(continuation)
            let resume = { @Sendable (problem: String?) in answer.withLock { $0.take() }?.resume(returning: problem) }
            let ping = Task {
                do {
                    try await store.ping()
                    resume(nil)
                } catch {
                    resume(
                        "database: \(String(describing: error).prefix(200)) — check that the database server is running and reachable"
                    )
                }
            }
            Task {
                try? await Task.sleep(for: .seconds(2))
                resume("database: no answer within 2 s — check that the database server is running and reachable")
                ping.cancel()
            }
        }
        guard let problem = outcome else { return JSONResponse.text("ok\n", contentType: "text/plain; charset=utf-8") }
        registry.metrics.databaseError(during: .health)
        registry.logger.warning("health check failed", metadata: ["registry.health.problem": "\(problem)"])
        return JSONResponse.text(
            "unhealthy: \(problem)\n", contentType: "text/plain; charset=utf-8", status: .serviceUnavailable)
    }
}
