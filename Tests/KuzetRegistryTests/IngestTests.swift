import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

@Suite("Heartbeat ingest", .timeLimit(.minutes(2)))
struct IngestTests {
    @Test("a single heartbeat is stored and becomes the school's state", arguments: StoreKind.allCases)
    func singleHeartbeat(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0001", name: "School 1", region: "Astana")
            let response = try await registry.post(
                Sample(schoolID: "KZ-AST-0001").heartbeat(1, at: registry.clock.date).json, token: token)
            #expect(response.status == .ok)
            let receipt = try JSONDecoder.kuzetWire.decode(
                HeartbeatReceipt.self, from: Data(response.body.readableBytesView))
            #expect(receipt.accepted == 1 && receipt.duplicates == 0 && receipt.highestSequence == 1)
            #expect(receipt.serverTime == registry.clock.date)
            let record = try #require(try await registry.store.school(id: "KZ-AST-0001"))
            #expect(record.state?.lastSequence == 1)
            #expect(record.state?.cameras.count == 2)
        }
    }

    @Test("a replayed batch is not counted twice", arguments: StoreKind.allCases)
    func replayIsIdempotent(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0002")
            let sample = Sample(schoolID: "KZ-AST-0002")
            let batch = (1...5).map {
                sample.heartbeat(UInt64($0), at: registry.clock.date.addingTimeInterval(Double($0) * 30))
            }
            let first = try await registry.post(batch.batchJSON, token: token).json
            #expect(first["accepted"] as? Int == 5 && first["duplicates"] as? Int == 0)
            // The agent did not see the answer and replays its outbox, plus one new heartbeat.
            let replay = batch + [sample.heartbeat(6, at: registry.clock.date.addingTimeInterval(180))]
            let second = try await registry.post(replay.batchJSON, token: token).json
            #expect(second["accepted"] as? Int == 1 && second["duplicates"] as? Int == 5)
            #expect(second["highest_sequence"] as? Int == 6)
            let history = try await registry.store.history(schoolID: "KZ-AST-0002", limit: 100)
            #expect(history.map(\.sequence) == [6, 5, 4, 3, 2, 1])
        }
    }

    @Test("a late heartbeat goes to history but does not overwrite the current state", arguments: StoreKind.allCases)
    func lateHeartbeat(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0003")
            let start = registry.clock.date
            _ = try await registry.post(Sample(schoolID: "KZ-AST-0003").heartbeat(10, at: start).json, token: token)
            var old = Sample(schoolID: "KZ-AST-0003")
            old.recording = .notRecording
            old.cameras = 5
            let response = try await registry.post(
                old.heartbeat(7, at: start.addingTimeInterval(-90)).json, token: token)
            #expect(response.json["accepted"] as? Int == 1)
            #expect(response.json["highest_sequence"] as? Int == 10)
            let record = try #require(try await registry.store.school(id: "KZ-AST-0003"))
            #expect(record.state?.lastSequence == 10)
            #expect(record.state?.cameras.count == 2)
            #expect(record.state?.flags.since(.notRecording) == nil)
            let history = try await registry.store.history(schoolID: "KZ-AST-0003", limit: 10)
            #expect(history.map(\.sequence) == [10, 7])
        }
    }

    @Test("a flag keeps its start while it stays set and clears when the cause goes", arguments: StoreKind.allCases)
    func flagSince(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0004")
            let start = registry.clock.date
            var sample = Sample(schoolID: "KZ-AST-0004")
            sample.push = .failing
            _ = try await registry.post(sample.heartbeat(1, at: start).json, token: token)
            registry.clock.advance(by: 30)
            _ = try await registry.post(sample.heartbeat(2, at: start.addingTimeInterval(30)).json, token: token)
            var record = try #require(try await registry.store.school(id: "KZ-AST-0004"))
            #expect(record.state?.flags.since(.notDelivering) == start)
            #expect(record.state?.cameras.first?.flags.since(.notDelivering) == start)
            sample.push = .delivering
            registry.clock.advance(by: 30)
            _ = try await registry.post(sample.heartbeat(3, at: start.addingTimeInterval(60)).json, token: token)
            record = try #require(try await registry.store.school(id: "KZ-AST-0004"))
            #expect(record.state?.flags.isEmpty == true)
        }
    }

    @Test("a school becomes OFFLINE after the configured number of missed intervals", arguments: StoreKind.allCases)
    func offlineAfterIntervals(kind: StoreKind) async throws {
        try await withRegistry(kind, policy: FlagPolicy(offlineAfterIntervals: 4)) { registry in
            let token = try await registry.schoolToken("KZ-AST-0005", region: "Astana")
            let viewer = try await registry.token(Principal(role: .viewer))
            let contact = registry.clock.date
            _ = try await registry.post(Sample(schoolID: "KZ-AST-0005").heartbeat(1, at: contact).json, token: token)
            registry.clock.advance(by: 120) // exactly 4 × 30 s: still online
            var school =
                try await registry.getJSON("/api/v1/schools/KZ-AST-0005", token: viewer)["school"] as? [String: Any]
            #expect(school?["online"] as? Bool == true)
            registry.clock.advance(by: 1)
            school =
                try await registry.getJSON("/api/v1/schools/KZ-AST-0005", token: viewer)["school"] as? [String: Any]
            #expect(school?["online"] as? Bool == false)
            let flags = school?["flags"] as? [[String: Any]] ?? []
            #expect(flags.first?["flag"] as? String == "OFFLINE")
            #expect(
                flags.first?["since"] as? String == ISO8601DateFormatter().string(from: contact.addingTimeInterval(120))
            )
            let offline = try await registry.getJSON("/api/v1/schools?flag=OFFLINE", token: viewer)
            #expect(offline["total"] as? Int == 1)
        }
    }

    @Test("a clock more than the threshold off raises CLOCK_SKEW", arguments: StoreKind.allCases)
    func clockSkew(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-AST-0006")
            let agentClock = registry.clock.date.addingTimeInterval(600) // ten minutes ahead
            _ = try await registry.post(Sample(schoolID: "KZ-AST-0006").heartbeat(1, at: agentClock).json, token: token)
            let record = try #require(try await registry.store.school(id: "KZ-AST-0006"))
            #expect(record.state?.flags.since(.clockSkew) == agentClock)
            #expect(record.state?.clockSkewSeconds == 600)
        }
    }
}
