import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// The resumable upload of a clip (`HEAD`/`PATCH /api/v1/agent/uploads/{id}`) at the HTTP level.
@Suite("Evidence upload", .serialized, .timeLimit(.minutes(4)))
struct CommandUploadTests {
    static func hex(_ bytes: [UInt8]) throws -> String { try sha256sum(bytes) }

    static func clip(bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) } }

    func patch(
        _ registry: CommandRegistry, _ id: String, offset: Int, total: Int, sha: String, _ body: ArraySlice<UInt8>
    ) async throws -> TestResponse {
        try await registry.send(
            .patch, "/api/v1/agent/uploads/\(id)", token: registry.schoolToken,
            headers: [
                .contentType: "application/offset+octet-stream", HTTPField.Name("Upload-Offset")!: String(offset),
                HTTPField.Name("Upload-Length")!: String(total), HTTPField.Name("Kuzet-SHA256")!: sha,
            ], body: Array(body))
    }

    func offset(_ registry: CommandRegistry, _ id: String) async throws -> String? {
        let response = try await registry.send(.head, "/api/v1/agent/uploads/\(id)", token: registry.schoolToken)
        return response.headers[HTTPField.Name("Upload-Offset")!]
    }

    @Test(
        "Chunks at the registry's offset are kept; another offset is 409 with the right one; the whole clip is served with its checksum",
        arguments: StoreKind.allCases)
    func resumesAtOffset(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let id = try await registry.issued(registry.clipCommand)
            let data = Self.clip(bytes: 5 << 20 + 12345)
            let sha = try Self.hex(data)
            #expect(try await offset(registry, id) == "0")
            let first = try await patch(registry, id, offset: 0, total: data.count, sha: sha, data[0..<(2 << 20)])
            #expect(first.status == .noContent, "\(first.text)")
            #expect(first.headers[HTTPField.Name("Upload-Offset")!] == String(2 << 20))
            let stale = try await patch(registry, id, offset: 0, total: data.count, sha: sha, data[0..<(1 << 20)])
            #expect(stale.status == .conflict && stale.headers[HTTPField.Name("Upload-Offset")!] == String(2 << 20))
            let ahead = try await patch(registry, id, offset: 3 << 20, total: data.count, sha: sha, data[(3 << 20)...])
            #expect(ahead.status == .conflict && ahead.headers[HTTPField.Name("Upload-Offset")!] == String(2 << 20))
            #expect(try await offset(registry, id) == String(2 << 20))
            print("upload resume: 409 gave Upload-Offset \(2 << 20); resuming from there")
            let rest = try await patch(registry, id, offset: 2 << 20, total: data.count, sha: sha, data[(2 << 20)...])
            #expect(rest.status == .noContent, "\(rest.text)")
            let clip = try await registry.send(.get, "/api/v1/clips/\(id)", token: registry.viewer)
            #expect(clip.status == .ok && Array(clip.body.readableBytesView) == data)
            #expect(clip.headers[HTTPField.Name("Kuzet-SHA256")!] == sha && clip.headers[.contentType] == "video/mp4")
            let listed = try await registry.send(
                .get, "/api/v1/schools/\(registry.school)/commands", token: registry.admin)
            let command = (listed.json["commands"] as? [[String: Any]])?.first
            #expect(command?["state"] as? String == "done")
            #expect((command?["evidence"] as? [String: Any])?["sha256"] as? String == sha)
            let sidecar = registry.evidence.file("\(registry.school)/\(id).json")
            #expect((try? String(contentsOfFile: sidecar, encoding: .utf8))?.contains(sha) == true)
            let otherRegion = try await registry.send(.get, "/api/v1/clips/\(id)", token: registry.operatorAlmaty)
            #expect(otherRegion.status == .notFound, "another region's operator does not see it")
            let again = try await patch(registry, id, offset: data.count, total: data.count, sha: sha, [])
            #expect(again.status == .conflict)
        }
    }

    @Test("A clip whose bytes do not hash to Kuzet-SHA256 is refused 422 and discarded (offset 0 again)")
    func checksumMismatch() async throws {
        try await withCommandRegistry { registry in
            let id = try await registry.issued(registry.clipCommand)
            let data = Self.clip(bytes: 300_000)
            var wrong = try Self.hex(data)
            wrong = (wrong.first == "0" ? "1" : "0") + wrong.dropFirst()
            let first = try await patch(registry, id, offset: 0, total: data.count, sha: wrong, data[0..<100_000])
            #expect(first.status == .noContent)
            let last = try await patch(registry, id, offset: 100_000, total: data.count, sha: wrong, data[100_000...])
            #expect(last.status == .unprocessableContent && last.text.contains("discarded"), "\(last.text)")
            #expect(try await offset(registry, id) == "0")
            let clip = try await registry.send(.get, "/api/v1/clips/\(id)", token: registry.admin)
            #expect(clip.status == .notFound)
            let audit = try await registry.audit().filter { $0["action"] as? String == "upload.complete" }
            #expect((audit.last?["outcome"] as? String)?.hasPrefix("422") == true, "\(audit)")
            let good = try await patch(registry, id, offset: 0, total: data.count, sha: try Self.hex(data), data[...])
            #expect(good.status == .noContent, "sent again whole, it is taken")
        }
    }

    @Test("Beyond the clip limit 413; a chunk over 8 MiB 413; live has nothing to upload; another school's command 404")
    func limits() async throws {
        try await withCommandRegistry(maximumClipBytes: 1 << 20) { registry in
            let id = try await registry.issued(registry.clipCommand)
            let sha = String(repeating: "a", count: 64)
            let big = try await patch(registry, id, offset: 0, total: (1 << 20) + 1, sha: sha, [1, 2, 3])
            #expect(big.status == .contentTooLarge && big.text.contains("limit"), "\(big.text)")
            let live = try await registry.issued(#"{"kind":"live","camera":"cam-1"}"#)
            #expect(try await patch(registry, live, offset: 0, total: 10, sha: sha, [1]).status == .conflict)
            let other = try await registry.base.schoolToken("KZ-AST-0001", region: "Astana")
            let foreign = try await registry.send(.head, "/api/v1/agent/uploads/\(id)", token: other)
            #expect(foreign.status == .notFound)
        }
        try await withCommandRegistry { registry in
            let id = try await registry.issued(registry.clipCommand)
            let chunk = [UInt8](repeating: 7, count: (8 << 20) + 1)
            let response = try await patch(
                registry, id, offset: 0, total: 20 << 20, sha: String(repeating: "b", count: 64), chunk[...])
            #expect(response.status == .contentTooLarge, "\(response.text)")
            #expect(try await offset(registry, id) == "0")
        }
    }
}
