import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// A revoked token stops working within seconds on a running registry, although the registry keeps
/// recognised tokens for ten minutes: every revocation moves the store's token generation on, and
/// the registry reads it every 2 s.
@Suite("Token revocation reaches running instances", .timeLimit(.minutes(2)))
struct TokenRevocationTests {
    @Test(
        "a token revoked in the store is refused by the running registry within 5 s; other tokens keep working",
        arguments: StoreKind.allCases)
    func revokedTokenIsRefused(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let viewer = try await registry.token(Principal(role: .viewer))
            let school = try await registry.schoolToken("KZ-REV-0001", region: "Astana")
            #expect(
                try await registry.get("/api/v1/report", token: viewer).status == .ok, "recognised, and now remembered")
            let before = try await registry.store.tokenGeneration()

            #expect(try await registry.store.deleteToken(hash: AccessToken.hash("kz_not_a_token_at_all")) == false)
            #expect(try await registry.store.tokenGeneration() == before, "nothing revoked, nothing moved")
            #expect(try await registry.store.deleteToken(hash: AccessToken.hash(viewer)))
            #expect(try await registry.store.tokenGeneration() > before)

            let revoked = Date()
            var status = try await registry.get("/api/v1/report", token: viewer).status
            while status == .ok, Date().timeIntervalSince(revoked) < 8 {
                try await Task.sleep(for: .milliseconds(100))
                status = try await registry.get("/api/v1/report", token: viewer).status
            }
            let took = Date().timeIntervalSince(revoked)
            #expect(status == .unauthorized)
            #expect(took < 5, "refused after \(took) s")

            let heartbeat = Sample(schoolID: "KZ-REV-0001").heartbeat(1, at: registry.clock.date)
            #expect(
                try await registry.post(heartbeat.json, token: school).status == .ok,
                "the school's token was not revoked")

            let generation = try await registry.store.tokenGeneration()
            let removal = try await registry.store.removeSchool(id: "KZ-REV-0001")
            #expect(removal?.tokens == 1)
            #expect(try await registry.store.tokenGeneration() > generation, "removing a school revokes its tokens")
        }
    }
}
