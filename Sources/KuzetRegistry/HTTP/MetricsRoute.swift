import Foundation
import Hummingbird
import NIOCore

/// `GET /metrics`: the registry's own figures in Prometheus text (`RegistryMetrics`), then the schools
/// by region and flag (`SchoolGauges`), for a viewer or admin token (Prometheus sends it with
/// `authorization: { credentials_file: … }`); no token gets 401, a school's token 403. A viewer
/// limited to one region sees that region's school gauges only. No label holds a school's id, name or
/// a token.
struct MetricsRoute {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/metrics") { _, context in
            let principal = try context.reader()
            let text = registry.metrics.exposition(store: registry.store, connections: registry.connections)
            let schools = registry.metrics.census.exposition(region: principal.readableRegion)
            return JSONResponse.text(
                String(decoding: text, as: UTF8.self) + schools, contentType: "text/plain; version=0.0.4; charset=utf-8"
            )
        }
    }
}
