import Foundation
import Hummingbird
import NIOCore

/// `GET /metrics`: the registry's own figures in Prometheus text (`RegistryMetrics`), for a viewer or
/// admin token (Prometheus sends it with `authorization: { credentials_file: … }`).
struct MetricsRoute {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/metrics") { _, context in
            _ = try context.reader()
            let text = registry.metrics.exposition(store: registry.store, connections: registry.connections)
            return JSONResponse.text(String(decoding: text, as: UTF8.self), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
