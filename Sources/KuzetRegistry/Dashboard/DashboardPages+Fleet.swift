import Foundation
import Hummingbird
import KuzetCore

extension DashboardPages {
    /// The agents page: schools by agent version. Its own page, not the overview's: it reads every
    /// school's state (version and fingerprint live there), which a 10,000-school overview should not
    /// pay for on every load.
    func fleet(_ request: Request, _ principal: Principal) async throws -> Response {
        let html = try await fleetTable(region: principal.readableRegion)
        return respond(
            title: text.plain("fleet.heading"), principal: principal,
            body: html.isEmpty ? "<h2>\(text.html("fleet.heading"))</h2>" : html, here: request.uri)
    }

    /// The overview's agent table: schools by agent version, and how many distinct configurations
    /// they run (`GET /api/v1/fleet` has the details).
    func fleetTable(region: String?) async throws -> String {
        let versions = FleetVersion.summarise(try await registry.store.fleet(region: region))
        guard !versions.isEmpty else { return "" }
        let rows = versions.prefix(20).map { version in
            "<tr><td><code>\(HTML.escape(version.agentVersion))</code></td><td class=\"num\">\(version.schools)</td><td class=\"num\">\(version.configurations)</td></tr>\n"
        }.joined()
        return """
            <h2 id="fleet">\(text.html("fleet.heading"))</h2>
            <div class="box"><table id="agents">
            <thead><tr><th>\(text.html("fleet.version"))</th><th class="num">\(text.html("fleet.schools"))</th><th class="num">\(text.html("fleet.configurations"))</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            """
    }
}
