import Foundation
import KuzetCurl
import KuzetTestKit

/// The police side of issue 22 on the real registry, as the admin, over libcurl.
extension RealRegistry {
    func police(world: RegistryWorld) -> HTTPClient {
        HTTPClient(configuration: .init(tls: TLSConfiguration(caFile: world.authority.certificate)))
    }

    /// `POST /api/v1/schools/{school}/commands` → the new command's id.
    func issue(world: RegistryWorld, _ json: String) async throws -> String {
        let response = try await police(world: world).perform(
            HTTPRequest(
                method: .post, url: "https://127.0.0.1:\(port)/api/v1/schools/\(Fixtures.school)/commands",
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(adminToken)")],
                body: Data(json.utf8)))
        guard response.status == 202,
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let id = object["id"] as? String
        else { throw TestKitError("issuing \(json): HTTP \(response.status) \(response.bodyText.prefix(400))") }
        return id
    }

    /// The command as the school's list shows it.
    func command(world: RegistryWorld, _ id: String) async -> [String: Any]? {
        guard
            let response = try? await police(world: world).perform(
                HTTPRequest(
                    url: "https://127.0.0.1:\(port)/api/v1/schools/\(Fixtures.school)/commands",
                    headers: [("Authorization", "Bearer \(adminToken)")])), response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        else { return nil }
        return (object["commands"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    /// `GET /api/v1/clips/{id}`.
    func clip(world: RegistryWorld, _ id: String) async throws -> HTTPResponse {
        var configuration = HTTPClient.Configuration(tls: TLSConfiguration(caFile: world.authority.certificate))
        configuration.maxResponseBytes = 1 << 30
        return try await HTTPClient(configuration: configuration).perform(
            HTTPRequest(
                url: "https://127.0.0.1:\(port)/api/v1/clips/\(id)",
                headers: [("Authorization", "Bearer \(adminToken)")]))
    }
}
