import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KuzetCore
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// A registry for the command tests: `TestRegistry` (live loopback socket, a hand-moved clock) with
/// an evidence folder, the long-poll cap given, a school of region Astana that reported two cameras
/// (cam-1, cam-2), and tokens for each role.
struct CommandRegistry: Sendable {
    let base: TestRegistry
    let evidence: TemporaryDirectory
    let school: String
    let schoolToken: String
    let operatorAstana: String
    let operatorAlmaty: String
    let viewer: String
    let admin: String

    static let school = "KZ-AST-0042"

    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil,
        headers extra: HTTPFields = [:],
        body: [UInt8]? = nil
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        let buffer = json.map { ByteBuffer(string: $0) } ?? body.map { ByteBuffer(bytes: $0) }
        return try await base.client.execute(uri: uri, method: method, headers: headers, body: buffer)
    }

    /// Issues a command as `token`; the answer.
    func issue(_ json: String, token: String?) async throws -> TestResponse {
        try await send(.post, "/api/v1/schools/\(school)/commands", token: token, json: json)
    }

    /// Issues a command that must be accepted; its id.
    func issued(_ json: String, token: String? = nil) async throws -> String {
        let response = try await issue(json, token: token ?? operatorAstana)
        guard response.status == .accepted, let id = response.json["id"] as? String else {
            throw TestKitError("issue \(json): \(response.status) \(response.text)")
        }
        return id
    }

    /// The agent's long-poll: the ids it was given.
    func poll(wait: Int) async throws -> [String] {
        let response = try await send(.get, "/api/v1/agent/commands?wait=\(wait)", token: schoolToken)
        guard response.status == .ok else { throw TestKitError("poll: \(response.status) \(response.text)") }
        return (response.json["commands"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// The long-poll on a connection of its own (curl, as libcurl in the agent): the test client's
    /// one connection would queue the requests behind a waiting poll. (status, ids).
    func pollOwnConnection(wait: Int, token: String? = nil) async throws -> (
        status: Int, ids: [String], retryAfter: String?
    ) {
        let url = "http://127.0.0.1:\(base.client.port ?? 0)/api/v1/agent/commands?wait=\(wait)"
        let bearer = token ?? schoolToken
        let (exit, output) = try await offPool {
            try KuzetTestKit.run(
                "curl", ["-sS", "-i", "--max-time", "40", "-H", "Authorization: Bearer \(bearer)", url], timeout: 45)
        }
        guard exit == 0, let split = output.range(of: "\r\n\r\n") else { throw TestKitError("curl poll: \(output)") }
        let head = output[..<split.lowerBound].split(separator: "\r\n")
        let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let retryAfter = head.first { $0.lowercased().hasPrefix("retry-after:") }.map {
            $0.dropFirst("retry-after:".count).trimmingCharacters(in: .whitespaces)
        }
        let body = Data(output[split.upperBound...].utf8)
        let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        let ids = (json?["commands"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        return (status, ids, retryAfter)
    }

    /// A clip command's JSON for ten minutes from three days before the registry's clock.
    var clipCommand: String {
        let from = base.clock.date.addingTimeInterval(-3 * 86_400)
        let format = { (date: Date) in ISO8601DateFormatter().string(from: date) }
        return
            #"{"kind":"clip","camera":"cam-1","from":"\#(format(from))","to":"\#(format(from.addingTimeInterval(600)))"}"#
    }

    func status(_ id: String, _ state: String) async throws -> HTTPResponse.Status {
        try await send(
            .post, "/api/v1/agent/commands/\(id)/status", token: schoolToken, json: "{\"state\":\"\(state)\"}"
        )
        .status
    }

    /// The audit log as the admin reads it.
    func audit() async throws -> [[String: Any]] {
        let response = try await send(.get, "/api/v1/audit", token: admin)
        guard response.status == .ok else { throw TestKitError("audit: \(response.status) \(response.text)") }
        return response.json["entries"] as? [[String: Any]] ?? []
    }
}

func withCommandRegistry<T: Sendable>(
    _ kind: StoreKind = .sqlite, maximumPolls: Int = 100, maximumClipBytes: Int64 = 64 << 20,
    _ body: @Sendable @escaping (CommandRegistry) async throws -> T
) async throws -> T {
    let evidence = try TemporaryDirectory(prefix: "kuzet-evidence")
    return try await withStore(kind) { store, info in
        let clock = ManualNow()
        var registry = Registry(store: store, now: clock.now)
        registry.commandWaiters = CommandWaiters(maximum: maximumPolls)
        registry.evidence = EvidenceStore(directory: evidence.path, maximumBytes: maximumClipBytes)
        let server = RegistryServer(registry: registry, host: "127.0.0.1", port: 0)
        let application = try server.application()
        return try await application.test(.live) { client in
            let base = TestRegistry(store: store, clock: clock, client: client, info: info)
            let school = CommandRegistry.school
            let schoolToken = try await base.schoolToken(school, name: "School 42", region: "Astana")
            let beat = Sample(schoolID: school).heartbeat(1, at: clock.date)
            let sent = try await base.post(beat.json, token: schoolToken)
            guard sent.status == .ok else { throw TestKitError("heartbeat: \(sent.status) \(sent.text)") }
            try await base.store.register(
                SchoolRegistration(id: "KZ-ALA-0001", name: nil, region: "Almaty"), at: clock.date)
            let registryForTest = CommandRegistry(
                base: base, evidence: evidence, school: school, schoolToken: schoolToken,
                operatorAstana: try await base.token(Principal(role: .operator, region: "Astana")),
                operatorAlmaty: try await base.token(Principal(role: .operator, region: "Almaty")),
                viewer: try await base.token(Principal(role: .viewer, region: "Astana")),
                admin: try await base.token(Principal(role: .admin)))
            return try await body(registryForTest)
        }
    }
}

/// The SHA-256 (hex) of `bytes` by coreutils' `sha256sum`: an implementation apart from the
/// registry's, as the agent's is.
func sha256sum(_ bytes: [UInt8]) throws -> String {
    let directory = try TemporaryDirectory(prefix: "kuzet-sha")
    let file = directory.file("bytes")
    _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
    return try sha256sum(file: file)
}

func sha256sum(file: String) throws -> String {
    let (status, output) = try KuzetTestKit.run("sha256sum", [file], timeout: 60)
    guard status == 0, let hex = output.split(separator: " ").first, hex.count == 64 else {
        throw TestKitError("sha256sum \(file): \(output)")
    }
    return String(hex)
}
