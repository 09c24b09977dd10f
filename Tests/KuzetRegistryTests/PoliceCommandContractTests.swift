import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// The police command API as the outside contract names it (`../shared/CONTRACT.md`): `type` and
/// `seconds`, 202 with the id, `GET /api/v1/commands/{id}` with its `status`, and the clip or
/// snapshot at `GET /api/v1/commands/{id}/result`. Against both stores.
@Suite("Police commands, the contract's names", .serialized, .timeLimit(.minutes(4)))
struct PoliceCommandContractTests {
    @Test(
        "The contract's body (type, camera, stream, seconds) is taken: 202 with the id, handed to the agent as kind and duration_seconds",
        arguments: StoreKind.allCases)
    func contractBodyAccepted(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let answer = try await registry.issue(
                #"{"type":"live","camera":"cam-1","stream":"sub","seconds":90}"#, token: registry.operatorAstana)
            #expect(answer.status == .accepted, "\(answer.text)")
            let id = try #require(answer.json["id"] as? String)
            #expect(answer.json["status"] as? String == "queued" && answer.json["type"] as? String == "live")
            let polled = try await registry.send(.get, "/api/v1/agent/commands?wait=0", token: registry.schoolToken)
            let handed = (polled.json["commands"] as? [[String: Any]])?.first
            #expect(handed?["id"] as? String == id && handed?["kind"] as? String == "live", "\(polled.text)")
            #expect(handed?["duration_seconds"] as? Int == 90 && handed?["stream"] as? String == "sub")
            #expect(handed?["type"] == nil, "the agent's wire format (wire-22) is unchanged")
        }
    }

    @Test("A clip given as from and seconds covers from to from + seconds")
    func clipFromAndSeconds() async throws {
        try await withCommandRegistry { registry in
            let from = registry.base.clock.date.addingTimeInterval(-86_400)
            let text = ISO8601DateFormatter().string(from: from)
            let answer = try await registry.issue(
                #"{"type":"clip","camera":"cam-2","from":"\#(text)","seconds":300}"#, token: registry.admin)
            #expect(answer.status == .accepted, "\(answer.text)")
            #expect(answer.json["to"] as? String == ISO8601DateFormatter().string(from: from.addingTimeInterval(300)))
            #expect(answer.json["duration_seconds"] == nil)
        }
    }

    @Test(
        "GET /api/v1/commands/{id} says queued, then running, then done once the clip's upload completes",
        arguments: StoreKind.allCases)
    func statusQueuedToDone(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let id = try await registry.issued(registry.clipCommand)
            func status() async throws -> (String?, String?) {
                let answer = try await registry.send(.get, "/api/v1/commands/\(id)", token: registry.viewer)
                #expect(answer.status == .ok, "\(answer.text)")
                return (answer.json["status"] as? String, answer.json["state"] as? String)
            }
            #expect(try await status() == ("queued", "pending"))
            #expect(try await registry.status(id, "accepted") == .noContent)
            #expect(try await status() == ("queued", "accepted"))
            #expect(try await registry.status(id, "running") == .noContent)
            #expect(try await status() == ("running", "running"))
            try await upload(registry, id, CommandUploadTests.clip(bytes: 200_000))
            #expect(try await status() == ("done", "done"))
        }
    }

    @Test("Refused by the agent reads failed; never fetched before its expiry reads expired")
    func statusFailedAndExpired() async throws {
        try await withCommandRegistry { registry in
            let refused = try await registry.issued(#"{"type":"snapshot","camera":"cam-1"}"#)
            let expiring = try await registry.issued(#"{"type":"snapshot","camera":"cam-2"}"#)
            #expect(try await registry.status(refused, "refused") == .noContent)
            registry.base.clock.advance(by: 15 * 60 + 1)
            let first = try await registry.send(.get, "/api/v1/commands/\(refused)", token: registry.admin)
            #expect(first.json["status"] as? String == "failed" && first.json["state"] as? String == "refused")
            let second = try await registry.send(.get, "/api/v1/commands/\(expiring)", token: registry.admin)
            #expect(second.json["status"] as? String == "expired", "\(second.text)")
        }
    }

    @Test(
        "The result is 404 until the clip arrived, then its bytes with video/mp4 and the checksum; /api/v1/clips/{id} is the same; both reads are audited",
        arguments: StoreKind.allCases)
    func resultBytesAndChecksum(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let id = try await registry.issued(registry.clipCommand)
            let early = try await registry.send(.get, "/api/v1/commands/\(id)/result", token: registry.viewer)
            #expect(early.status == .notFound && early.text.contains("not arrived yet"), "\(early.text)")
            let data = CommandUploadTests.clip(bytes: 700_000)
            let sha = try sha256sum(data)
            try await upload(registry, id, data)
            let result = try await registry.send(.get, "/api/v1/commands/\(id)/result", token: registry.viewer)
            #expect(result.status == .ok && Array(result.body.readableBytesView) == data)
            #expect(result.headers[.contentType] == "video/mp4")
            #expect(result.headers[HTTPField.Name("Kuzet-SHA256")!] == sha)
            #expect(try sha256sum(Array(result.body.readableBytesView)) == sha)
            let alias = try await registry.send(.get, "/api/v1/clips/\(id)", token: registry.admin)
            #expect(alias.status == .ok && Array(alias.body.readableBytesView) == data)
            let view = try await registry.send(.get, "/api/v1/commands/\(id)", token: registry.viewer)
            #expect(
                (view.json["evidence"] as? [String: Any])?["url"] as? String == "/api/v1/commands/\(id)/result",
                "\(view.text)")
            let reads = try await registry.audit().filter { $0["action"] as? String == "clip.read" }
            #expect(
                reads.map { ($0["outcome"] as? String ?? "").prefix(3) } == ["404", "ok", "ok"], "\(reads)")
        }
    }

    @Test("A snapshot's result is served as image/jpeg")
    func snapshotResultIsJPEG() async throws {
        try await withCommandRegistry { registry in
            let id = try await registry.issued(#"{"type":"snapshot","camera":"cam-1"}"#)
            let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + CommandUploadTests.clip(bytes: 5_000) + [0xFF, 0xD9]
            try await upload(registry, id, jpeg)
            let result = try await registry.send(.get, "/api/v1/commands/\(id)/result", token: registry.operatorAstana)
            #expect(result.status == .ok && result.headers[.contentType] == "image/jpeg")
            #expect(Array(result.body.readableBytesView) == jpeg)
        }
    }

    @Test(
        "Another region's operator or viewer gets 404 for the command and its result, an unknown id 404, no token 401; the result's refusal is audited",
        arguments: StoreKind.allCases)
    func otherRegionNotFound(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let id = try await registry.issued(#"{"type":"snapshot","camera":"cam-1"}"#)
            try await upload(registry, id, CommandUploadTests.clip(bytes: 1_000))
            let almatyViewer = try await registry.base.token(Principal(role: .viewer, region: "Almaty"))
            for token in [registry.operatorAlmaty, almatyViewer] {
                let command = try await registry.send(.get, "/api/v1/commands/\(id)", token: token)
                #expect(command.status == .notFound && !command.text.contains("cam-1"), "\(command.text)")
                let result = try await registry.send(.get, "/api/v1/commands/\(id)/result", token: token)
                #expect(result.status == .notFound)
            }
            let unknown = try await registry.send(.get, "/api/v1/commands/cmd_unknown", token: registry.admin)
            #expect(unknown.status == .notFound)
            let nobody = try await registry.send(.get, "/api/v1/commands/\(id)", token: nil)
            #expect(nobody.status == .unauthorized)
            let own = try await registry.send(.get, "/api/v1/commands/\(id)", token: registry.operatorAstana)
            #expect(own.status == .ok && own.json["status"] as? String == "done")
            let reads = try await registry.audit().filter { $0["action"] as? String == "clip.read" }
            #expect(
                reads.map {
                    ($0["actor"] as? String ?? "").hasPrefix("operator/Almaty/")
                        || ($0["actor"] as? String ?? "").hasPrefix("viewer/Almaty/")
                }
                    == [true, true] && reads.allSatisfy { ($0["outcome"] as? String)?.hasPrefix("404") == true },
                "\(reads)")
        }
    }

    @Test(
        "A type other than live, clip or snapshot is 422 naming type; type and kind that differ are 422",
        arguments: StoreKind.allCases)
    func badTypeNamed(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let bad = try await registry.issue(#"{"type":"stream","camera":"cam-1"}"#, token: registry.operatorAstana)
            #expect(bad.status == .unprocessableContent, "\(bad.text)")
            #expect(
                bad.json["problems"] as? [String] ?? [] == ["type: \"stream\" — send live, clip or snapshot"],
                "\(bad.text)")
            let both = try await registry.issue(
                #"{"type":"live","kind":"snapshot","camera":"cam-1"}"#, token: registry.operatorAstana)
            #expect(both.status == .unprocessableContent && both.text.contains("differs from kind"), "\(both.text)")
            let tooLong = try await registry.issue(
                #"{"type":"live","camera":"cam-1","seconds":3601}"#, token: registry.operatorAstana)
            #expect(
                tooLong.status == .unprocessableContent && tooLong.text.contains("seconds: 3601"), "\(tooLong.text)")
            let audited = try await registry.audit().filter { $0["action"] as? String == "command.create" }
            #expect(audited.count == 3 && audited.allSatisfy { ($0["outcome"] as? String)?.hasPrefix("422") == true })
            #expect(audited.first?["detail"] as? String == "stream cam-1", "\(audited)")
        }
    }

    /// Uploads `data` whole for `id` (one chunk), as the agent does; requires 204.
    func upload(_ registry: CommandRegistry, _ id: String, _ data: [UInt8]) async throws {
        let answer = try await registry.send(
            .patch, "/api/v1/agent/uploads/\(id)", token: registry.schoolToken,
            headers: [
                .contentType: "application/offset+octet-stream", HTTPField.Name("Upload-Offset")!: "0",
                HTTPField.Name("Upload-Length")!: String(data.count),
                HTTPField.Name("Kuzet-SHA256")!: try sha256sum(data),
            ], body: data)
        #expect(answer.status == .noContent, "upload \(id): \(answer.text)")
    }
}
