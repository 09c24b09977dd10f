import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetTestKit
import NIOCore
import Testing

@testable import KuzetRegistry

/// Heartbeat bodies an attacker with a school's token might send: each is refused or stored
/// without what it padded, and the registry goes on serving.
@Suite("Hostile heartbeats", .timeLimit(.minutes(2)))
struct HostileHeartbeatTests {
    static let school = "KZ-AST-0001"

    func plainHeartbeat(_ registry: TestRegistry, _ sequence: UInt64) throws -> [String: Any] {
        try JSONSerialization.jsonObject(
            with: Sample(schoolID: Self.school).heartbeat(sequence, at: registry.clock.date).json) as! [String: Any]
    }

    @Test(
        "a body nested 1,000,000 deep gets 400 too_deep and the registry keeps serving", arguments: StoreKind.allCases)
    func deepNesting(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken(Self.school)
            for body in [
                Data(repeating: UInt8(ascii: "["), count: 1_000_000),
                Data(String(repeating: "{\"a\":", count: 200_000).utf8),
            ] {
                let response = try await registry.post(body, token: token)
                #expect(response.status.code == 400, "\(response.text.prefix(300))")
                #expect(response.json["error"] as? String == "too_deep")
                #expect((response.json["message"] as? String)?.contains("nested more than 32 levels") == true)
            }
            #expect(
                try await registry.post(
                    Sample(schoolID: Self.school).heartbeat(1, at: registry.clock.date).json, token: token
                ).status == .ok)
        }
    }

    @Test("brackets inside strings and escaped quotes do not count as nesting")
    func nestingIgnoresStrings() {
        let inString = Data(("{\"a\":\"" + String(repeating: "[{", count: 100) + "\\\"[[[\"}").utf8)
        #expect(JSONNesting.offsetBeyond(in: inString) == nil)
        let deep = Data((String(repeating: "[", count: 33) + String(repeating: "]", count: 33)).utf8)
        #expect(JSONNesting.offsetBeyond(in: deep) == 32)
        let within = Data((String(repeating: "[", count: 32) + String(repeating: "]", count: 32)).utf8)
        #expect(JSONNesting.offsetBeyond(in: within) == nil)
        // An escaped backslash ends before the quote: the bracket after the string counts.
        let afterEscape = Data(("\"\\\\\"" + String(repeating: "[", count: 33)).utf8)
        #expect(JSONNesting.offsetBeyond(in: afterEscape) == 36)
    }

    @Test(
        "a heartbeat with 1 MiB of unknown members is taken, and history keeps only the known fields",
        arguments: StoreKind.allCases)
    func unknownMembersNotKept(kind: StoreKind) async throws {
        try await withRegistry(kind, maximumBodyBytes: 2 << 20) { registry in
            let token = try await registry.schoolToken(Self.school)
            var object = try plainHeartbeat(registry, 1)
            object["padding"] = String(repeating: "x", count: 1 << 20)
            var cameras = object["cameras"] as! [[String: Any]]
            cameras[0]["extra"] = ["nested": Array(repeating: 12345, count: 1000)]
            object["cameras"] = cameras
            let body = try JSONSerialization.data(withJSONObject: object)
            #expect(body.count > 1 << 20)
            let response = try await registry.post(body, token: token)
            #expect(response.status == .ok, "\(response.text.prefix(300))")
            let stored = try #require(try await registry.store.history(schoolID: Self.school, limit: 10).first)
            #expect(stored.payload.count < 4096, "history kept \(stored.payload.count) bytes")
            let text = String(decoding: stored.payload, as: UTF8.self)
            #expect(!text.contains("padding") && !text.contains("extra") && text.contains("\"cam-1\""))
        }
    }

    @Test("white space and long numbers are not kept in history as sent", arguments: StoreKind.allCases)
    func paddingNotKept(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken(Self.school)
            let spaced = String(
                decoding: try JSONSerialization.data(withJSONObject: try plainHeartbeat(registry, 1)), as: UTF8.self
            )
            .replacingOccurrences(of: ",", with: "," + String(repeating: " ", count: 5000))
            #expect(try await registry.post(Data(spaced.utf8), token: token).status == .ok)
            var object = try plainHeartbeat(registry, 2)
            let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
                .replacingOccurrences(
                    of: "\"uptime_seconds\":3600",
                    with: "\"uptime_seconds\":3600." + String(repeating: "0", count: 100_000))
            #expect(body.count > 100_000)
            #expect(try await registry.post(Data(body.utf8), token: token).status == .ok)
            object = try plainHeartbeat(registry, 3)
            let plain = try JSONSerialization.data(withJSONObject: object)
            #expect(try await registry.post(plain, token: token).status == .ok)
            let history = try await registry.store.history(schoolID: Self.school, limit: 10)
            #expect(history.count == 3)
            let plainSize = try #require(history.first { $0.sequence == 3 }).payload.count
            for entry in history {
                #expect(
                    entry.payload.count < plainSize + 200,
                    "heartbeat \(entry.sequence): \(entry.payload.count) bytes kept")
            }
        }
    }

    @Test("text made long with combining marks gets 422", arguments: StoreKind.allCases)
    func combiningMarks(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken(Self.school)
            var object = try plainHeartbeat(registry, 1)
            // One character, 50,001 scalars.
            object["agent_version"] = "1" + String(repeating: "\u{0301}", count: 50_000)
            let response = try await registry.post(try JSONSerialization.data(withJSONObject: object), token: token)
            #expect(response.status.code == 422, "\(response.text.prefix(300))")
            #expect((response.json["message"] as? String)?.hasPrefix("agent_version") == true)
        }
    }

    @Test("the agent's own heartbeat, with every optional field, is read plainly and kept as sent")
    func agentHeartbeatPlain() throws {
        var sample = Sample(schoolID: Self.school, name: "School", region: "Astana")
        sample.shortfallSince = Date(timeIntervalSince1970: 1_790_000_000)
        let heartbeat = sample.heartbeat(
            7, at: Date(timeIntervalSince1970: 1_790_000_000),
            events: [
                AgentEvent(
                    at: Date(timeIntervalSince1970: 1_790_000_000), kind: .cameraOffline, camera: "cam-1",
                    message: "camera cam-1: offline")
            ])
        let body = try JSONEncoder.kuzetWire.encode(HeartbeatBatch(heartbeats: [heartbeat, heartbeat]))
        let decoded = try HeartbeatPayload.decode(body)
        #expect(decoded.isPlain && decoded.isBatch && decoded.heartbeats.count == 2)
    }
}

/// `serve --history-rows-per-hour/--history-bytes-per-hour`: what one school's token can add to history.
@Suite("History limit per school", .timeLimit(.minutes(2)))
struct HistoryLimitTests {
    static let school = "KZ-AST-0001"

    func batch(_ sequences: ClosedRange<UInt64>, at date: Date) throws -> Data {
        try JSONEncoder.kuzetWire.encode(
            HeartbeatBatch(heartbeats: sequences.map { Sample(schoolID: Self.school).heartbeat($0, at: date) }))
    }

    @Test(
        "beyond the hour's rows a request gets 429 with Retry-After, nothing of it is stored, and it is taken once the limit refills",
        arguments: StoreKind.allCases)
    func rowsPerHour(kind: StoreKind) async throws {
        try await withRegistry(kind, historyRowsPerHour: 1000) { registry in
            let token = try await registry.schoolToken(Self.school)
            #expect(try await registry.post(try batch(1...600, at: registry.clock.date), token: token).status == .ok)
            #expect(try await registry.post(try batch(601...1000, at: registry.clock.date), token: token).status == .ok)
            let refused = try await registry.post(try batch(1001...1010, at: registry.clock.date), token: token)
            #expect(refused.status.code == 429, "\(refused.text.prefix(300))")
            #expect(refused.json["error"] as? String == "history_limit")
            // 10 heartbeats at 1000 an hour refill in 36 s.
            #expect(refused.headers[.retryAfter] == "36")
            #expect(try await registry.store.history(schoolID: Self.school, limit: 2000).count == 1000)
            registry.clock.advance(by: 30)
            #expect(
                try await registry.post(try batch(1001...1010, at: registry.clock.date), token: token).status.code
                    == 429)
            registry.clock.advance(by: 6)
            #expect(
                try await registry.post(try batch(1001...1010, at: registry.clock.date), token: token).status == .ok)
            #expect(try await registry.store.history(schoolID: Self.school, limit: 2000).count == 1010)
            // Another school has its own limit.
            let other = try await registry.schoolToken("KZ-AST-0002")
            let heartbeat = Sample(schoolID: "KZ-AST-0002").heartbeat(1, at: registry.clock.date).json
            #expect(try await registry.post(heartbeat, token: other).status == .ok)
        }
    }

    @Test("beyond the hour's bytes a request gets 429 with Retry-After", arguments: [StoreKind.sqlite])
    func bytesPerHour(kind: StoreKind) async throws {
        try await withRegistry(kind, historyBytesPerHour: 1 << 20) { registry in
            let token = try await registry.schoolToken(Self.school)
            let one = try batch(1...1, at: registry.clock.date).count
            var sequence: UInt64 = 1
            var refused: TestResponse?
            // About 1 MiB of heartbeats goes in, then the limit answers.
            while refused == nil, sequence < 2000 {
                let response = try await registry.post(
                    try batch(sequence...(sequence + 49), at: registry.clock.date), token: token)
                if response.status.code == 429 { refused = response } else { #expect(response.status == .ok) }
                sequence += 50
            }
            let answer = try #require(refused)
            #expect(Int(answer.headers[.retryAfter] ?? "") ?? 0 >= 1)
            let stored = try await registry.store.history(schoolID: Self.school, limit: 5000)
            #expect(stored.reduce(0) { $0 + $1.payload.count } <= 1 << 20)
            #expect(stored.count > (1 << 20) / one / 2, "\(stored.count) heartbeats of about \(one) bytes")
        }
    }
}

extension HostileHeartbeatTests {
    @Test("the fast reader alone answers nil for a body nested 1,000,000 deep (no recursion that deep)")
    func readerAloneBounded() {
        let deep = Data(("{\"heartbeats\":" + String(repeating: "[", count: 1_000_000)).utf8)
        #expect(HeartbeatReader.read(deep) == nil)
        let deepMember = Data(("{\"x\":" + String(repeating: "{\"a\":", count: 200_000)).utf8)
        #expect(HeartbeatReader.read(deepMember) == nil)
    }
}
