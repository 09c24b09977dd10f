import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetTestKit
import NIOCore
import Testing

@testable import KuzetRegistry

@Suite("Security", .timeLimit(.minutes(2)))
struct SecurityTests {
    @Test(
        "a school token cannot write another school's heartbeats, and nothing is stored", arguments: StoreKind.allCases)
    func cannotWriteOtherSchool(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let mine = try await registry.schoolToken("KZ-AST-0001")
            _ = try await registry.schoolToken("KZ-AST-0002")
            let response = try await registry.post(
                Sample(schoolID: "KZ-AST-0002").heartbeat(1, at: registry.clock.date).json, token: mine)
            #expect(response.status == .forbidden)
            #expect(response.json["error"] as? String == "forbidden")
            #expect(try await registry.store.history(schoolID: "KZ-AST-0002", limit: 10).isEmpty)
            #expect(try await registry.store.history(schoolID: "KZ-AST-0001", limit: 10).isEmpty)
            #expect(try await registry.store.school(id: "KZ-AST-0002")?.state == nil)
        }
    }

    @Test("a batch mixing another school's heartbeat is refused whole", arguments: StoreKind.allCases)
    func mixedBatchRefused(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let mine = try await registry.schoolToken("KZ-AST-0001")
            let batch = [
                Sample(schoolID: "KZ-AST-0001").heartbeat(1, at: registry.clock.date),
                Sample(schoolID: "KZ-AST-0009").heartbeat(1, at: registry.clock.date),
            ]
            #expect(try await registry.post(batch.batchJSON, token: mine).status == .forbidden)
            #expect(try await registry.store.history(schoolID: "KZ-AST-0001", limit: 10).isEmpty)
            #expect(try await registry.store.school(id: "KZ-AST-0009") == nil)
        }
    }

    @Test("a school token cannot read anything", arguments: StoreKind.allCases)
    func schoolTokenCannotRead(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            for uri in [
                "/api/v1/schools", "/api/v1/schools/KZ-AST-0001", "/api/v1/report", "/api/v1/report?format=csv",
            ] {
                #expect(try await registry.get(uri, token: token).status == .forbidden, "\(uri)")
            }
            let page = try await registry.get("/", token: token)
            #expect(page.status == .forbidden)
            #expect(!page.text.contains("KZ-AST-0001"))
        }
    }

    @Test("without a token the API answers 401 and the dashboard sends to the login", arguments: StoreKind.allCases)
    func noToken(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            _ = try await registry.schoolToken("KZ-AST-0001")
            for uri in ["/api/v1/schools", "/api/v1/schools/KZ-AST-0001", "/api/v1/report"] {
                let response = try await registry.get(uri, token: nil)
                #expect(response.status == .unauthorized, "\(uri)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            #expect(
                try await registry.post(
                    Sample(schoolID: "KZ-AST-0001").heartbeat(1, at: registry.clock.date).json, token: nil
                ).status == .unauthorized)
            #expect(try await registry.get("/api/v1/report", token: "kzv_not-a-real-token").status == .unauthorized)
            let dashboard = try await registry.get("/", token: nil)
            #expect(dashboard.status == .seeOther && dashboard.headers[.location] == "/login")
        }
    }

    @Test("a viewer limited to a region sees only that region", arguments: StoreKind.allCases)
    func regionViewer(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            for (id, region) in [("KZ-AST-0001", "Astana"), ("KZ-AST-0002", "Astana"), ("KZ-ALA-0001", "Almaty")] {
                let token = try await registry.schoolToken(id, region: region)
                _ = try await registry.post(
                    Sample(schoolID: id).heartbeat(1, at: registry.clock.date).json, token: token)
            }
            let viewer = try await registry.token(Principal(role: .viewer, region: "Astana"))
            let list = try await registry.getJSON("/api/v1/schools", token: viewer)
            #expect(
                (list["schools"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [
                    "KZ-AST-0001", "KZ-AST-0002",
                ])
            let other = try await registry.getJSON("/api/v1/schools?region=Almaty", token: viewer)
            #expect(other["total"] as? Int == 0)
            #expect(try await registry.get("/api/v1/schools/KZ-ALA-0001", token: viewer).status == .notFound)
            #expect(try await registry.get("/api/v1/schools/KZ-AST-0001", token: viewer).status == .ok)
            let report = try await registry.getJSON("/api/v1/report", token: viewer)
            #expect((report["regions"] as? [[String: Any]])?.compactMap { $0["region"] as? String } == ["Astana"])
            #expect((report["total"] as? [String: Any])?["schools"] as? Int == 2)
            let page = try await registry.get("/schools/KZ-ALA-0001", token: viewer)
            #expect(page.status == .notFound)
            let home = try await registry.get("/", token: viewer)
            #expect(
                home.text.contains("KZ-AST-0001") && !home.text.contains("KZ-ALA-0001") && !home.text.contains("Almaty")
            )
        }
    }

    @Test("tokens are stored as SHA-256 hashes, never in clear", arguments: StoreKind.allCases)
    func tokensHashed(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let school = try await registry.schoolToken("KZ-AST-0001")
            let viewer = try await registry.token(Principal(role: .viewer))
            let stored = try await registry.store.tokens()
            #expect(Set(stored.map(\.hash)) == [AccessToken.hash(school), AccessToken.hash(viewer)])
            #expect(stored.allSatisfy { $0.hash.count == 64 && !$0.hash.contains(school) && !$0.hash.contains(viewer) })
            if let path = registry.info.sqlitePath {
                // Nothing in the database files (main file and WAL) holds a token's text.
                var bytes = Data()
                for suffix in ["", "-wal"] { bytes += (FileManager.default.contents(atPath: path + suffix) ?? Data()) }
                #expect(!bytes.isEmpty)
                #expect(bytes.range(of: Data(school.utf8)) == nil && bytes.range(of: Data(viewer.utf8)) == nil)
                #expect(bytes.range(of: Data(AccessToken.hash(school).utf8)) != nil)
            }
        }
    }

    @Test("the bearer token is taken without the spaces and tabs around it, and nothing else is cut")
    func bearerTokenTrimmed() {
        #expect(AuthenticationMiddleware.trimmed("kzs_abc") == "kzs_abc")
        #expect(AuthenticationMiddleware.trimmed(" \t kzs_abc\t ") == "kzs_abc")
        #expect(AuthenticationMiddleware.trimmed("kzs a\tb") == "kzs a\tb")
        #expect(AuthenticationMiddleware.trimmed(" \t ") == "")
        #expect(AuthenticationMiddleware.trimmed("") == "")
        #expect(AuthenticationMiddleware.trimmed(" жетон ") == "жетон")
    }
}
