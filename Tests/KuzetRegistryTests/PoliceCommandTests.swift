import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// Issue 22, the registry's side: who may command, what is handed to the agent and when, and the
/// audit log of every attempt. Against both stores.
@Suite("Police commands", .serialized, .timeLimit(.minutes(4)))
struct PoliceCommandTests {
    @Test(
        "An operator of the school's region and an admin may command; a viewer and an operator of another region get 403; the audit log lists every attempt",
        arguments: StoreKind.allCases)
    func whoMayCommand(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let live = #"{"kind":"live","camera":"cam-1","stream":"main","duration_seconds":120}"#
            let issued = try await registry.issue(live, token: registry.operatorAstana)
            #expect(issued.status == .accepted, "\(issued.text)")
            #expect(issued.json["state"] as? String == "pending")
            #expect(
                issued.json["issued_by"] as? String == "operator/Astana/"
                    + AccessToken.hash(registry.operatorAstana).prefix(12))
            let viewer = try await registry.issue(live, token: registry.viewer)
            #expect(viewer.status == .forbidden && viewer.text.contains("--role operator"), "\(viewer.text)")
            let otherRegion = try await registry.issue(live, token: registry.operatorAlmaty)
            #expect(
                otherRegion.status == .forbidden && otherRegion.text.contains("another region"), "\(otherRegion.text)")
            let nobody = try await registry.issue(live, token: nil)
            #expect(nobody.status == .unauthorized)
            let admin = try await registry.issue(#"{"kind":"snapshot","camera":"cam-2"}"#, token: registry.admin)
            #expect(admin.status == .accepted, "\(admin.text)")
            let tooLong = try await registry.issue(
                #"{"kind":"live","camera":"cam-1","duration_seconds":7200}"#, token: registry.operatorAstana)
            #expect(tooLong.status == .unprocessableContent && tooLong.text.contains("1…3600"), "\(tooLong.text)")
            let noCamera = try await registry.issue(
                #"{"kind":"clip","camera":"cam-9"}"#, token: registry.operatorAstana)
            #expect(noCamera.status == .unprocessableContent)
            #expect(
                noCamera.json["problems"] as? [String] ?? [] == [
                    "camera: \"cam-9\" is not among the school's cameras (cam-1, cam-2) — send one of those",
                    "from: missing — a clip needs from and to (ISO 8601)",
                    "to: missing — a clip needs from and to (ISO 8601)",
                ])

            let entries = try await registry.audit().filter { $0["action"] as? String == "command.create" }
            let outcomes = entries.map {
                ($0["actor"] as? String ?? "").split(separator: "/").first.map(String.init) ?? ""
            }
            .enumerated().map { "\($0.element) \((entries[$0.offset]["outcome"] as? String ?? "").prefix(3))" }
            #expect(
                outcomes == [
                    "operator ok", "viewer 403", "operator 403", "unauthenticated 401", "admin ok", "operator 422",
                    "operator 422",
                ], "\(entries)")
            #expect(entries.first?["detail"] as? String == "live cam-1 main 120 s")
            #expect(
                entries[2]["actor"] as? String == "operator/Almaty/"
                    + AccessToken.hash(registry.operatorAlmaty).prefix(12))
            let notAdmin = try await registry.send(.get, "/api/v1/audit", token: registry.operatorAstana)
            #expect(notAdmin.status == .forbidden)
            let listed = try await registry.send(
                .get, "/api/v1/schools/\(registry.school)/commands", token: registry.viewer)
            #expect((listed.json["commands"] as? [[String: Any]])?.count == 2, "a viewer of the region reads them")
        }
    }

    @Test(
        "A command is handed to the agent until it reports on it, then never again; a final state is kept (same state again: 204, another: 409)",
        arguments: StoreKind.allCases)
    func handedOnceReported(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let id = try await registry.issued(#"{"kind":"live","camera":"cam-1"}"#)
            #expect(try await registry.poll(wait: 0) == [id])
            #expect(try await registry.poll(wait: 0) == [id], "not yet reported: handed again (the agent deduplicates)")
            #expect(try await registry.status(id, "accepted") == .noContent)
            #expect(try await registry.poll(wait: 0) == [], "accepted: not handed out again")
            #expect(try await registry.status(id, "running") == .noContent)
            #expect(try await registry.status(id, "done") == .noContent)
            #expect(try await registry.status(id, "done") == .noContent, "a repeated report")
            #expect(try await registry.status(id, "failed") == .conflict, "done stays done")
            #expect(try await registry.status(id, "pending") == .unprocessableContent)
            let other = try await registry.send(
                .post, "/api/v1/agent/commands/\(id)/status",
                token: try await registry.base.schoolToken("KZ-AST-0001", region: "Astana"), json: #"{"state":"done"}"#)
            #expect(other.status == .notFound, "another school cannot report on it")
            let listed = try await registry.send(
                .get, "/api/v1/schools/\(registry.school)/commands", token: registry.admin)
            #expect((listed.json["commands"] as? [[String: Any]])?.first?["state"] as? String == "done")
            let statuses = try await registry.audit().filter { $0["action"] as? String == "command.status" }
            #expect(statuses.count == 7, "every report, refused ones too: \(statuses)")
        }
    }

    @Test("An expired command is not handed out, and shows as expired", arguments: StoreKind.allCases)
    func expiredNotHandedOut(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            let id = try await registry.issued(#"{"kind":"snapshot","camera":"cam-2"}"#)
            registry.base.clock.advance(by: 15 * 60 + 1)
            #expect(try await registry.poll(wait: 0) == [])
            let listed = try await registry.send(
                .get, "/api/v1/schools/\(registry.school)/commands", token: registry.admin)
            let first = (listed.json["commands"] as? [[String: Any]])?.first
            #expect(first?["id"] as? String == id && first?["state"] as? String == "expired")
        }
    }

    @Test("The heartbeat's receipt carries the pending commands (the fallback), and stops once they are reported")
    func receiptCarriesCommands() async throws {
        try await withCommandRegistry { registry in
            let id = try await registry.issued(#"{"kind":"live","camera":"cam-1","duration_seconds":60}"#)
            let beat = Sample(schoolID: registry.school).heartbeat(2, at: registry.base.clock.date)
            let receipt = try await registry.base.post(beat.json, token: registry.schoolToken)
            let commands = receipt.json["commands"] as? [[String: Any]] ?? []
            #expect(commands.map { $0["id"] as? String } == [id], "\(receipt.text)")
            #expect(commands.first?["duration_seconds"] as? Int == 60 && commands.first?["expires_at"] is String)
            #expect(receipt.json["highest_sequence"] as? Int == 2)
            #expect(try await registry.status(id, "accepted") == .noContent)
            #expect(try await registry.poll(wait: 0) == [])
            let later = try await registry.base.post(
                Sample(schoolID: registry.school).heartbeat(3, at: registry.base.clock.date).json,
                token: registry.schoolToken)
            #expect(later.json["commands"] == nil, "\(later.text)")
        }
    }
}
