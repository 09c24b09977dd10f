import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

@Suite("Bad input", .timeLimit(.minutes(2)))
struct BadInputTests {
    /// Sends `body`, expects `status` with error `code`, then checks nothing was stored and the server still serves.
    func refused(
        _ registry: TestRegistry, _ token: String, _ body: Data, status: Int, code: String, mentioning: String? = nil
    ) async throws {
        let response = try await registry.post(body, token: token)
        #expect(response.status.code == status, "\(response.text.prefix(300))")
        #expect(response.json["error"] as? String == code)
        if let mentioning {
            #expect((response.json["message"] as? String)?.contains(mentioning) == true, "\(response.text.prefix(300))")
        }
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        #expect(try await registry.store.history(schoolID: "KZ-AST-0001", limit: 10).isEmpty)
        #expect(try await registry.get("/healthz", token: nil).status == .ok)
    }

    func wire(_ mutate: (inout [String: Any]) -> Void, _ registry: TestRegistry) throws -> Data {
        var object =
            try JSONSerialization.jsonObject(
                with: Sample(schoolID: "KZ-AST-0001").heartbeat(1, at: registry.clock.date).json) as! [String: Any]
        mutate(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("malformed JSON gets 400 invalid_json", arguments: StoreKind.allCases)
    func malformed(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            try await refused(
                registry, token, Data("{\"version\": 1, \"school_id\": ".utf8), status: 400, code: "invalid_json")
            try await refused(registry, token, Data("[1,2,3]".utf8), status: 400, code: "invalid_json")
            try await refused(registry, token, Data([0xff, 0xfe, 0x00]), status: 400, code: "invalid_json")
        }
    }

    @Test("a missing field gets 422 naming the field", arguments: StoreKind.allCases)
    func missingField(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            let body = try wire(
                { object in
                    var storage = object["storage"] as! [String: Any]
                    storage.removeValue(forKey: "free_bytes")
                    object["storage"] = storage
                }, registry)
            try await refused(
                registry, token, body, status: 422, code: "invalid_heartbeat", mentioning: "storage.free_bytes: missing"
            )
        }
    }

    @Test("a wrong or missing version gets 400 unsupported_version", arguments: StoreKind.allCases)
    func wrongVersion(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            try await refused(
                registry, token, try wire({ $0["version"] = 2 }, registry), status: 400, code: "unsupported_version",
                mentioning: "version")
            try await refused(
                registry, token, try wire({ $0.removeValue(forKey: "version") }, registry), status: 400,
                code: "unsupported_version")
            let batch = try JSONSerialization.data(withJSONObject: [
                "version": 1,
                "heartbeats": [try JSONSerialization.jsonObject(with: try wire({ $0["version"] = 7 }, registry))],
            ])
            try await refused(
                registry, token, batch, status: 400, code: "unsupported_version", mentioning: "heartbeats[0].version")
        }
    }

    @Test("a 10 MB body gets 413 and the server keeps serving", arguments: StoreKind.allCases)
    func hugeBody(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            var body = Data("{\"version\":1,\"heartbeats\":[".utf8)
            body += Data(repeating: UInt8(ascii: " "), count: 10 * 1024 * 1024)
            body += Data("]}".utf8)
            try await refused(registry, token, body, status: 413, code: "body_too_large")
        }
    }

    @Test("numbers out of range get 422 listing every problem", arguments: StoreKind.allCases)
    func outOfRange(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            let body = try wire(
                { object in
                    object["interval_seconds"] = 0
                    object["uptime_seconds"] = -5
                    var cameras = object["cameras"] as! [[String: Any]]
                    cameras[0]["fps"] = 5000
                    object["cameras"] = cameras
                }, registry)
            let response = try await registry.post(body, token: token)
            #expect(response.status.code == 422)
            let problems = response.json["problems"] as? [String] ?? []
            #expect(problems.contains { $0.hasPrefix("interval_seconds: 0 is out of range") })
            #expect(problems.contains { $0.hasPrefix("uptime_seconds: -5.0 is out of range") })
            #expect(try await registry.store.history(schoolID: "KZ-AST-0001", limit: 10).isEmpty)
            try await refused(
                registry, token, try wire({ $0["sequence"] = 0 }, registry), status: 422, code: "invalid_heartbeat",
                mentioning: "sequence: 0 is out of range")
            #expect(problems.contains { $0.hasPrefix("cameras[0].fps: 5000.0 is out of range") })
            try await refused(
                registry, token, try wire({ $0["sequence"] = -1 }, registry), status: 422, code: "invalid_heartbeat",
                mentioning: "sequence")
            try await refused(
                registry, token, try wire({ $0["sequence"] = 1e30 }, registry), status: 422, code: "invalid_heartbeat",
                mentioning: "sequence")
        }
    }

    @Test("unicode school names are kept exactly and shown escaped", arguments: StoreKind.allCases)
    func unicodeNames(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001", region: "Нұр-Сұлтан")
            let name = "№42 мектеп-гимназиясы «Ақ жол» <script>alert(1)</script> 🏫"
            var sample = Sample(schoolID: "KZ-AST-0001", name: name, region: "Нұр-Сұлтан")
            sample.cameras = 1
            #expect(
                try await registry.post(sample.heartbeat(1, at: registry.clock.date).json, token: token).status == .ok)
            let viewer = try await registry.token(Principal(role: .viewer))
            let detail = try await registry.getJSON("/api/v1/schools/KZ-AST-0001", token: viewer)
            #expect((detail["school"] as? [String: Any])?["name"] as? String == name)
            #expect((detail["school"] as? [String: Any])?["region"] as? String == "Нұр-Сұлтан")
            let page = try await registry.get("/schools/KZ-AST-0001", token: viewer)
            #expect(page.text.contains("№42 мектеп-гимназиясы «Ақ жол» &lt;script&gt;alert(1)&lt;/script&gt; 🏫"))
            #expect(!page.text.contains("<script>"))
        }
    }

    @Test("a control character in a name gets 422", arguments: StoreKind.allCases)
    func controlCharacters(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            let body = try wire({ $0["school"] = ["name": "School\u{0007}\nNo. 1"] }, registry)
            try await refused(registry, token, body, status: 422, code: "invalid_heartbeat", mentioning: "school.name")
        }
    }

    @Test("a wrong type gets 422 naming the field and the type", arguments: StoreKind.allCases)
    func wrongType(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            try await refused(
                registry, token, try wire({ $0["sent_at"] = "yesterday" }, registry), status: 422,
                code: "invalid_heartbeat", mentioning: "sent_at")
            try await refused(
                registry, token, try wire({ $0["cameras"] = "many" }, registry), status: 422, code: "invalid_heartbeat",
                mentioning: "cameras")
        }
    }

    @Test("a non-JSON content type gets 415", arguments: StoreKind.allCases)
    func contentType(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001")
            let response = try await registry.post(
                Sample(schoolID: "KZ-AST-0001").heartbeat(1, at: registry.clock.date).json, token: token,
                contentType: "text/plain")
            #expect(response.status == .unsupportedMediaType)
        }
    }

    @Test("bad query parameters get 400 saying what to send", arguments: StoreKind.allCases)
    func badQuery(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let viewer = try await registry.token(Principal(role: .viewer))
            for (uri, mention) in [
                ("/api/v1/schools?flag=BROKEN", "flag"), ("/api/v1/schools?limit=0", "limit"),
                ("/api/v1/schools?offset=-3", "offset"), ("/api/v1/report?format=xml", "format"),
            ] {
                let response = try await registry.get(uri, token: viewer)
                #expect(response.status == .badRequest, "\(uri)")
                #expect((response.json["message"] as? String)?.hasPrefix(mention) == true, "\(uri): \(response.text)")
            }
        }
    }
}
