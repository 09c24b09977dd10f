import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetTestKit
import Testing

@testable import KuzetRegistry

#if canImport(Glibc)
    import Glibc
#endif

/// `HeartbeatFastPath`: heartbeats from a recognised token answered on the event loop, exactly as
/// the router answers them, and everything else passed on to the router unchanged.
@Suite("Heartbeat fast path", .timeLimit(.minutes(1)))
struct HeartbeatFastPathTests {
    /// Long enough that no token generation check (which sends one request to the router) falls
    /// inside a test.
    static let tokenCheckInterval: TimeInterval = 600

    /// What a client can tell of an answer: status, body (without the clock) and headers (without the date).
    struct Answer: Equatable, CustomStringConvertible {
        var status: Int
        var body: [String: String]
        var headers: [String: String]
        var description: String { "\(status) \(body.sorted { $0.key < $1.key }) \(headers.sorted { $0.key < $1.key })" }
    }

    static func answer(_ response: TestResponse) -> Answer {
        var body: [String: String] = [:]
        for (key, value) in response.json where key != "server_time" { body[key] = "\(value)" }
        var headers: [String: String] = [:]
        for field in response.headers where field.name != .date { headers[field.name.canonicalName] = field.value }
        return Answer(status: Int(response.status.code), body: body, headers: headers)
    }

    /// The requests of the parity test, after one that lets the instance recognise the token.
    static func exchange(_ registry: TestRegistry) async throws -> (answers: [Answer], fast: Int) {
        let token = try await registry.schoolToken("KZ-FP-0001")
        let sample = Sample(schoolID: "KZ-FP-0001")
        let date = registry.clock.date
        var answers = [Self.answer(try await registry.post(sample.heartbeat(1, at: date).json, token: token))]
        for body in [
            sample.heartbeat(3, at: date).json, // new
            sample.heartbeat(3, at: date).json, // a replay
            sample.heartbeat(2, at: date).json, // late: history only
            [sample.heartbeat(4, at: date), sample.heartbeat(5, at: date)].batchJSON,
        ] {
            answers.append(Self.answer(try await registry.post(body, token: token)))
        }
        let viewer = try await registry.token(Principal(role: .viewer))
        let school = try await registry.getJSON("/api/v1/schools/KZ-FP-0001", token: viewer)
        let summary = school["school"] as? [String: Any]
        answers.append(
            Answer(status: 200, body: ["last_sequence": "\(summary?["last_sequence"] ?? "none")"], headers: [:]))
        let metrics = try await registry.get("/metrics", token: viewer).text
        let line = metrics.split(separator: "\n").first {
            $0.hasPrefix("kuzet_registry_heartbeat_requests_fast_total ")
        }
        let fast = line.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
        return (answers, fast)
    }

    @Test(
        "A recognised token's heartbeats are answered on the event loop with the router's answers, byte for byte but the date",
        arguments: StoreKind.allCases)
    func sameAnswers(kind: StoreKind) async throws {
        let fast = try await withRegistry(kind, fastIngest: true, tokenCheckInterval: Self.tokenCheckInterval) {
            try await Self.exchange($0)
        }
        let router = try await withRegistry(kind, fastIngest: false, tokenCheckInterval: Self.tokenCheckInterval) {
            try await Self.exchange($0)
        }
        #expect(fast.answers == router.answers)
        #expect(fast.answers.map(\.status) == [200, 200, 200, 200, 200, 200])
        #expect(fast.answers[2].body["duplicates"] == "1" && fast.answers[3].body["highest_sequence"] == "3")
        #expect(fast.answers[5].body["last_sequence"] == "5")
        #expect(router.fast == 0, "the fast path off: every heartbeat through the router")
        // The first heartbeat teaches the instance the token; the other four take the fast path.
        #expect(fast.fast == 4)
    }

    @Test("Pipelined requests, some answered on the event loop and some by the router, are answered in order")
    func pipelinedInOrder() async throws {
        try await withRegistry(.sqlite, tokenCheckInterval: Self.tokenCheckInterval) { registry in
            let known = try await registry.schoolToken("KZ-FP-0002")
            let new = try await registry.schoolToken("KZ-FP-0004")
            let date = registry.clock.date
            let sample = Sample(schoolID: "KZ-FP-0002")
            #expect(try await registry.post(sample.heartbeat(1, at: date).json, token: known).status == .ok)
            let connection = try RawHTTPConnection(port: try #require(registry.client.port))
            func post(_ heartbeat: Heartbeat, token: String) -> String {
                let body = String(decoding: heartbeat.json, as: UTF8.self)
                return "POST /api/v1/heartbeats HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            // One write, five requests back to back. The first goes through the router (its token is
            // new to the instance) and takes longer than the next, answered on the event loop: that
            // answer must still come second.
            try connection.send(
                post(Sample(schoolID: "KZ-FP-0004").heartbeat(7, at: date), token: new)
                    + post(sample.heartbeat(2, at: date), token: known)
                    + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    + post(sample.heartbeat(3, at: date), token: known)
                    + post(sample.heartbeat(2, at: date), token: known))
            let answers = try (0..<5).map { _ in try connection.readResponse() }
            #expect(answers.map(\.status) == [200, 200, 200, 200, 200])
            #expect(answers[0].body.contains(#""highest_sequence":7"#), "\(answers[0].body)")
            #expect(
                answers[1].body.contains(#""highest_sequence":2"#) && answers[1].body.contains(#""accepted":1"#),
                "\(answers[1].body)")
            #expect(answers[2].body.hasPrefix("ok"), "\(answers[2].body)")
            #expect(
                answers[3].body.contains(#""highest_sequence":3"#) && answers[3].body.contains(#""accepted":1"#),
                "\(answers[3].body)")
            #expect(answers[4].body.contains(#""duplicates":1"#), "\(answers[4].body)")
        }
    }

    @Test(
        "With a recognised token, refusals still come from the router, and the connection goes on",
        arguments: StoreKind.allCases)
    func refusalsGoToTheRouter(kind: StoreKind) async throws {
        try await withRegistry(kind, maximumBodyBytes: 64 * 1024, tokenCheckInterval: Self.tokenCheckInterval) {
            registry in
            let token = try await registry.schoolToken("KZ-FP-0003")
            let sample = Sample(schoolID: "KZ-FP-0003")
            let date = registry.clock.date
            #expect(try await registry.post(sample.heartbeat(1, at: date).json, token: token).status == .ok)

            let other = try await registry.post(
                Sample(schoolID: "KZ-FP-9999").heartbeat(2, at: date).json, token: token)
            #expect(other.status == .forbidden && other.json["error"] as? String == "forbidden", "\(other.text)")
            let broken = try await registry.post(Data(#"{"version":1,"school_id":"#.utf8), token: token)
            #expect(broken.status == .badRequest && broken.json["error"] as? String == "invalid_json", "\(broken.text)")
            let large = try await registry.post(Data(repeating: UInt8(ascii: " "), count: 100 * 1024), token: token)
            #expect(
                large.status == .contentTooLarge && large.json["error"] as? String == "body_too_large", "\(large.text)")
            let text = try await registry.post(
                sample.heartbeat(2, at: date).json, token: token, contentType: "text/plain")
            #expect(text.status == .unsupportedMediaType, "\(text.text)")
            #expect(try await registry.post(sample.heartbeat(2, at: date).json, token: token).status == .ok)

            // Removed while its token is still recognised: the store refuses, the router says why.
            #expect(try await registry.store.removeSchool(id: "KZ-FP-0003") != nil)
            let removed = try await registry.post(sample.heartbeat(3, at: date).json, token: token)
            #expect(removed.status == .unauthorized, "\(removed.text)")
            #expect(removed.json["error"] as? String == "school_removed", "\(removed.text)")
            let viewer = try await registry.token(Principal(role: .viewer))
            #expect(
                try await registry.get("/api/v1/schools/KZ-FP-0003", token: viewer).status == .notFound,
                "nothing stored")
        }
    }
}

/// HTTP/1.1 over a plain socket, for what `TestClient` does not do: several requests in one write.
// @unchecked Sendable: one test drives it.
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = try connectLoopback(port: port)
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw TestKitError("send failed")
        }
    }

    /// The next response (one with `Content-Length`).
    func readResponse() throws -> (status: Int, body: String) {
        while true {
            if let end = headEnd() {
                let head = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let lengthLine = head.first { $0.lowercased().hasPrefix("content-length:") }
                let length =
                    lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                try fill(end + 4 + length)
                let body = String(decoding: pending[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                pending.removeFirst(end + 4 + length)
                return (Int(head[0].split(separator: " ").dropFirst().first ?? "") ?? 0, body)
            }
            try fill(pending.count + 1)
        }
    }

    private func headEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        return (0...(pending.count - 4)).first {
            pending[$0] == 13 && pending[$0 + 1] == 10 && pending[$0 + 2] == 13 && pending[$0 + 3] == 10
        }
    }

    private func fill(_ count: Int) throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while pending.count < count {
            let read = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard read > 0 else { throw TestKitError("connection closed or timed out after \(pending.count) bytes") }
            pending += chunk[..<read]
        }
    }
}

extension HeartbeatFastPathTests {
    @Test("a body over 64 KiB is read by the router, not on the event loop; it is stored the same")
    func largeBodyGoesToTheRouter() async throws {
        try await withRegistry(.sqlite, tokenCheckInterval: Self.tokenCheckInterval) { registry in
            let token = try await registry.schoolToken("KZ-FP-0001")
            let sample = Sample(schoolID: "KZ-FP-0001")
            let date = registry.clock.date
            #expect(try await registry.post(sample.heartbeat(1, at: date).json, token: token).status == .ok)
            #expect(try await registry.post(sample.heartbeat(2, at: date).json, token: token).status == .ok)
            let large = (3...100).map { sample.heartbeat(UInt64($0), at: date) }.batchJSON
            #expect(large.count > HeartbeatFastPath.largestFastBody)
            #expect(try await registry.post(large, token: token).status == .ok)
            let viewer = try await registry.token(Principal(role: .viewer))
            let metrics = try await registry.get("/metrics", token: viewer).text
            let line = metrics.split(separator: "\n").first {
                $0.hasPrefix("kuzet_registry_heartbeat_requests_fast_total ")
            }
            // The second heartbeat only (the first made the token known).
            #expect(line.flatMap { Int($0.split(separator: " ")[1]) } == 1, "\(line ?? "no line")")
            #expect(try await registry.store.history(schoolID: "KZ-FP-0001", limit: 200).count == 100)
        }
    }
}
