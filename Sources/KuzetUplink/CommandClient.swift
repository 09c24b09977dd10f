import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetCurl
import KuzetProtocol

/// The agent's side of the registry's command API (issue 22), over libcurl with the school's
/// token, like heartbeats: the long-poll, status reports, and the resumable upload's HEAD/PATCH.
/// Every call is outbound: the school's NAT needs no open port.
public struct CommandClient: Sendable {
    /// `…/api/v1`, from `registry.url` (`…/api/v1/heartbeats`).
    public let base: String
    let registry: RegistryClient
    let http: HTTPClient

    /// Seconds the registry may hold a long-poll (the wire format's limit).
    public static let maxWait = 30
    /// Commands read from one answer; more wait for the next poll.
    public static let maxCommandsPerAnswer = 64

    public init(registry configuration: AgentConfiguration.Registry, agentVersion: String = "dev") {
        registry = RegistryClient(registry: configuration, agentVersion: agentVersion)
        base = Self.base(of: configuration.url)
        let tls = TLSConfiguration(
            caFile: configuration.caFile, clientCertificate: configuration.clientCert,
            clientKey: configuration.clientKey)
        http = HTTPClient(
            configuration: .init(tls: tls, maxResponseBytes: 1 << 20, userAgent: "kuzet-agent/\(agentVersion)"))
    }

    /// `https://r/api/v1/heartbeats` → `https://r/api/v1`.
    static func base(of heartbeatURL: String) -> String {
        var url = heartbeatURL
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/heartbeats") { return String(url.dropLast("/heartbeats".count)) }
        if let slash = url.lastIndex(of: "/"), url[..<slash].contains("//") {
            let head = url[..<slash]
            if !head.hasSuffix("/") { return String(head) }
        }
        return url
    }

    /// What went wrong with one call, in words (never the token).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public var status: Int?
        public var retryAfter: Duration?
    }

    func headers(_ extra: [(name: String, value: String)] = []) throws(Failure) -> [(name: String, value: String)] {
        switch registry.readToken() {
        case .success(let token): return [("Authorization", "Bearer \(token)")] + extra
        case .failure(let problem): throw Failure(description: problem.description)
        }
    }

    func perform(_ request: HTTPRequest) async throws(Failure) -> HTTPResponse {
        do {
            return try await http.perform(request)
        } catch let error as HTTPTransportError {
            throw Failure(description: "registry: \(registry.explain(error))")
        } catch {
            throw Failure(description: "registry: \(error)")
        }
    }

    /// `GET /agent/commands?wait=S`: the pending commands, at once or after up to `wait` seconds.
    public func poll(wait: Int) async throws(Failure) -> [AgentCommand] {
        let wait = min(max(0, wait), Self.maxWait)
        let request = HTTPRequest(
            method: .get, url: "\(base)/agent/commands?wait=\(wait)",
            headers: try headers([("Accept", "application/json")]),
            timeouts: HTTPTimeouts(
                connect: .seconds(10), total: .seconds(wait + 20), lowSpeedBytesPerSecond: 1,
                lowSpeedTime: .seconds(wait + 15)))
        let response = try await perform(request)
        guard response.status == 200 else { throw Self.failure(response, during: "polling for commands") }
        do {
            let list = try JSONDecoder.kuzetWire.decode(AgentCommandList.self, from: response.body)
            return Array(list.commands.prefix(Self.maxCommandsPerAnswer))
        } catch {
            throw Failure(
                description:
                    "registry: the command list is not {\"commands\":[…]} (\(error)) — check registry.url points at a Kuzet registry",
                status: response.status)
        }
    }

    /// `POST /agent/commands/{id}/status`.
    public func report(_ id: String, _ status: AgentCommandStatus) async throws(Failure) {
        let body: Data
        do { body = try JSONEncoder.kuzetWire.encode(status) } catch {
            throw Failure(description: "status: \(error)")
        }
        let request = HTTPRequest(
            method: .post, url: "\(base)/agent/commands/\(id)/status",
            headers: try headers([("Content-Type", "application/json")]), body: body,
            timeouts: HTTPTimeouts(connect: .seconds(10), total: .seconds(30)))
        let response = try await perform(request)
        guard (200..<300).contains(response.status) else {
            throw Self.failure(response, during: "reporting command \(id)")
        }
    }

    /// `HEAD /agent/uploads/{id}`: how many bytes of the upload the registry holds.
    public func uploadOffset(_ id: String) async throws(Failure) -> Int {
        let request = HTTPRequest(
            method: .head, url: "\(base)/agent/uploads/\(id)", headers: try headers(),
            timeouts: HTTPTimeouts(connect: .seconds(10), total: .seconds(30)))
        let response = try await perform(request)
        guard response.status == 200, let offset = Self.offset(response) else {
            throw Self.failure(response, during: "asking the upload offset of \(id)")
        }
        return offset
    }

    /// What one PATCH gave.
    public enum ChunkOutcome: Sendable, Equatable {
        /// Accepted: the registry's new offset.
        case accepted(offset: Int)
        /// 409: the registry holds `offset`, not what was sent from.
        case conflict(offset: Int)
    }

    /// `PATCH /agent/uploads/{id}` with `chunk` at `offset` of a `total`-byte file.
    public func upload(
        _ id: String, chunk: Data, offset: Int, total: Int, sha256: String, maxBytesPerSecond: Int?,
        progress: (@Sendable (Int) -> Void)? = nil
    ) async throws(Failure) -> ChunkOutcome {
        let seconds = maxBytesPerSecond.map { chunk.count / max(1, $0) } ?? 0
        let request = HTTPRequest(
            method: .custom("PATCH"), url: "\(base)/agent/uploads/\(id)",
            headers: try headers([
                ("Upload-Offset", "\(offset)"), ("Upload-Length", "\(total)"), ("Kuzet-SHA256", sha256),
                ("Content-Type", "application/offset+octet-stream"),
            ]), body: chunk,
            timeouts: HTTPTimeouts(
                connect: .seconds(10), total: .seconds(seconds + 60), lowSpeedBytesPerSecond: 1,
                lowSpeedTime: .seconds(20)),
            maxSendBytesPerSecond: maxBytesPerSecond, uploadProgress: progress)
        let response = try await perform(request)
        switch response.status {
        case 200..<300:
            return .accepted(offset: Self.offset(response) ?? offset + chunk.count)
        case 409:
            guard let current = Self.offset(response) else {
                throw Failure(description: "registry: 409 without Upload-Offset for upload \(id)", status: 409)
            }
            return .conflict(offset: current)
        default:
            throw Self.failure(response, during: "uploading \(id) at offset \(offset)")
        }
    }

    static func offset(_ response: HTTPResponse) -> Int? {
        response.header("Upload-Offset").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.flatMap {
            $0 >= 0 ? $0 : nil
        }
    }

    static func failure(_ response: HTTPResponse, during: String) -> Failure {
        let excerpt = String(response.bodyText.prefix(200)).replacingOccurrences(of: "\n", with: " ")
        let advice =
            switch response.status {
            case 401, 403: " — put the school's valid token in registry.token_file"
            case 404: " — the registry does not know this (an older registry, or the command is gone)"
            default: ""
            }
        return Failure(
            description: "registry: HTTP \(response.status) \(during): \(excerpt)\(advice)", status: response.status,
            retryAfter: RegistryClient.retryAfter(response))
    }
}
