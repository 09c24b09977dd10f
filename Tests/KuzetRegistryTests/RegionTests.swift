import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetCore
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// Regions are set by the registry (`token create --role school --region`), not by a school's
/// heartbeat: one naming another region is recorded as REGION_MISMATCH and not obeyed.
@Suite("Regions are set by the registry", .timeLimit(.minutes(3)))
struct RegionTests {
    func schoolJSON(_ registry: TestRegistry, _ id: String, token: String) async throws -> [String: Any] {
        try await registry.getJSON("/api/v1/schools/\(id)", token: token)["school"] as? [String: Any] ?? [:]
    }

    func flags(_ school: [String: Any]) -> [String] {
        (school["flags"] as? [[String: Any]] ?? []).compactMap { $0["flag"] as? String }
    }

    @Test(
        "a heartbeat naming another region leaves the school in its own and is recorded as REGION_MISMATCH",
        arguments: StoreKind.allCases)
    func mismatchIsRecordedNotObeyed(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001", region: "Astana")
            let sent = registry.clock.date
            let response = try await registry.post(
                Sample(schoolID: "KZ-AST-0001", region: "Almaty").heartbeat(1, at: sent).json, token: token)
            #expect(response.status == .ok)
            let record = try #require(try await registry.store.school(id: "KZ-AST-0001"))
            #expect(record.region == "Astana")
            #expect(record.regionMismatch == RegionMismatch(reported: "Almaty", since: sent))
            let admin = try await registry.token(Principal(role: .admin))
            let school = try await schoolJSON(registry, "KZ-AST-0001", token: admin)
            #expect(school["region"] as? String == "Astana")
            #expect(school["reported_region"] as? String == "Almaty")
            #expect(flags(school).contains("REGION_MISMATCH"))
            let flagged = try await registry.getJSON("/api/v1/schools?flag=REGION_MISMATCH", token: admin)
            #expect((flagged["schools"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["KZ-AST-0001"])
            let page = try await registry.get("/schools/KZ-AST-0001", token: admin)
            #expect(page.text.contains("REGION_MISMATCH") && page.text.contains("в её сигналах указан регион Almaty"))
        }
    }

    @Test("a viewer of the region a heartbeat names never sees the school", arguments: StoreKind.allCases)
    func otherRegionsViewerNeverSeesIt(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001", region: "Astana")
            for sequence in 1...3 {
                let heartbeat = Sample(schoolID: "KZ-AST-0001", region: "Almaty").heartbeat(
                    UInt64(sequence), at: registry.clock.date)
                #expect(try await registry.post(heartbeat.json, token: token).status == .ok)
                registry.clock.advance(by: 30)
            }
            let almaty = try await registry.token(Principal(role: .viewer, region: "Almaty"))
            #expect(try await registry.getJSON("/api/v1/schools", token: almaty)["total"] as? Int == 0)
            #expect(try await registry.get("/api/v1/schools/KZ-AST-0001", token: almaty).status == .notFound)
            #expect(
                (try await registry.getJSON("/api/v1/report", token: almaty)["regions"] as? [[String: Any]])?.isEmpty
                    == true)
            #expect(!(try await registry.get("/", token: almaty)).text.contains("KZ-AST-0001"))
            let astana = try await registry.token(Principal(role: .viewer, region: "Astana"))
            let seen = try await registry.getJSON("/api/v1/schools", token: astana)
            #expect((seen["schools"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["KZ-AST-0001"])
        }
    }

    @Test("naming its registered region again ends the mismatch", arguments: StoreKind.allCases)
    func mismatchEnds(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001", region: "Astana")
            _ = try await registry.post(
                Sample(schoolID: "KZ-AST-0001", region: "Almaty").heartbeat(1, at: registry.clock.date).json,
                token: token)
            #expect(try await registry.store.school(id: "KZ-AST-0001")?.regionMismatch != nil)
            registry.clock.advance(by: 30)
            _ = try await registry.post(
                Sample(schoolID: "KZ-AST-0001", region: "Astana").heartbeat(2, at: registry.clock.date).json,
                token: token)
            let record = try #require(try await registry.store.school(id: "KZ-AST-0001"))
            #expect(record.regionMismatch == nil)
            #expect(!record.conditionFlags.contains { $0.flag == .regionMismatch })
        }
    }

    /// Databases made before: a school registered without a region keeps it (unknown) until an
    /// admin sets one; its heartbeat's region is recorded, not taken, and setting it ends the mismatch.
    @Test(
        "a school without a region is not given one by its heartbeat; the admin's region ends the mismatch",
        arguments: StoreKind.allCases)
    func legacySchoolWithoutRegion(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            _ = try await registry.post(
                Sample(schoolID: "KZ-AST-0001", region: "Astana").heartbeat(1, at: registry.clock.date).json,
                token: token)
            let before = try #require(try await registry.store.school(id: "KZ-AST-0001"))
            #expect(before.region == nil)
            #expect(before.regionMismatch?.reported == "Astana")
            try await registry.store.register(
                SchoolRegistration(id: "KZ-AST-0001", region: "Astana"), at: registry.clock.date)
            let after = try #require(try await registry.store.school(id: "KZ-AST-0001"))
            #expect(after.region == "Astana")
            #expect(after.regionMismatch == nil)
        }
    }

    /// Must show 6, with the real executable: tokens made by `token create`, `serve` as a process,
    /// heartbeats and reads over real sockets with curl.
    @Test("with the real registry: a school token cannot move its school, and the other region's viewer never sees it")
    func realRegistry() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-region")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let school = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0042", "--region", "Astana", "--database", database,
        ])
        let almaty = try RegistryExecutable.createToken([
            "--role", "viewer", "--region", "Almaty", "--database", database,
        ])
        let astana = try RegistryExecutable.createToken([
            "--role", "viewer", "--region", "Astana", "--database", database,
        ])
        let server = try RegistryProcess(["--database", database])
        for sequence in 1...2 {
            let heartbeat = Sample(schoolID: "KZ-AST-0042", region: "Almaty").heartbeat(UInt64(sequence), at: Date())
                .json
            let post = try curl([
                "-H", "Authorization: Bearer \(school)", "-H", "Content-Type: application/json", "--data-binary",
                String(decoding: heartbeat, as: UTF8.self), server.url + "/api/v1/heartbeats",
            ])
            #expect(post.status == 200, "\(post.body)")
        }
        let list = try curl(["-H", "Authorization: Bearer \(almaty)", server.url + "/api/v1/schools"])
        #expect(list.status == 200 && !list.body.contains("KZ-AST-0042"), "\(list.body)")
        #expect(
            try curl(["-H", "Authorization: Bearer \(almaty)", server.url + "/api/v1/schools/KZ-AST-0042"]).status
                == 404)
        let report = try curl(["-H", "Authorization: Bearer \(almaty)", server.url + "/api/v1/report?format=csv"])
        #expect(!report.body.contains("Almaty,1"), "\(report.body)")
        let dashboard = try curl(["-H", "Authorization: Bearer \(almaty)", server.url + "/"])
        #expect(!dashboard.body.contains("KZ-AST-0042"))
        let own = try curl(["-H", "Authorization: Bearer \(astana)", server.url + "/api/v1/schools/KZ-AST-0042"])
        #expect(
            own.status == 200 && own.body.contains("\"region\":\"Astana\"") && own.body.contains("REGION_MISMATCH"),
            "\(own.body)")
        #expect(own.body.contains("\"reported_region\":\"Almaty\""), "\(own.body)")
    }
}
