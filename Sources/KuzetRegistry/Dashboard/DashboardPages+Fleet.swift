import Foundation
import KuzetCore

extension DashboardPages {
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
