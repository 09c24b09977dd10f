import Foundation
import Hummingbird

/// `GET /api/v1/fleet[?region=R]`: schools by agent version and configuration fingerprint, for a
/// viewer (its region only) or an admin: which schools still run an old agent, which run settings
/// unlike their neighbours'.
struct FleetRoutes {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/api/v1/fleet") { request, context in try await fleet(request, context: context) }
    }

    struct Body: Encodable {
        struct Version: Encodable {
            var agent_version: String
            var schools: Int
            var configurations: Int
        }
        struct Group: Encodable {
            var region: String
            var agent_version: String
            var config_fingerprint: String?
            var schools: Int
        }
        var generated_at: Date
        var versions: [Version]
        var groups: [Group]
        /// True when there were more than `FleetGroup.limit` groups (only the first are listed).
        var truncated: Bool
    }

    func fleet(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        let parameters = request.uri.queryParameters
        for (key, _) in parameters where !["region", "token"].contains(String(key)) {
            throw APIError.badQuery("\(String(key).prefix(40)): unknown query parameter — use region")
        }
        var region = parameters.get("region")
        if let limited = principal.readableRegion {
            if let region, region != limited { return try render([]) }
            region = limited
        }
        return try render(try await registry.store.fleet(region: region))
    }

    func render(_ groups: [FleetGroup]) throws -> Response {
        try JSONResponse.make(
            Body(
                generated_at: registry.now(),
                versions: FleetVersion.summarise(groups).map {
                    .init(agent_version: $0.agentVersion, schools: $0.schools, configurations: $0.configurations)
                },
                groups: groups.map {
                    .init(
                        region: $0.region, agent_version: $0.agentVersion, config_fingerprint: $0.configFingerprint,
                        schools: $0.schools)
                },
                truncated: groups.count >= FleetGroup.limit))
    }
}
