import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetCurl
import KuzetProtocol
import Logging

/// Sends heartbeat batches to `registry.url` with the school's bearer token, over libcurl.
///
/// The token is read from `registry.token_file` for every batch, so replacing the file takes
/// effect without a restart. Nothing here retries: it classifies the answer (``DeliveryOutcome``),
/// and ``HeartbeatService`` decides.
public struct RegistryClient: Sendable {
    public let url: String
    public let tokenFile: String?
    let http: HTTPClient
    /// Signs each request body (issue 21: `Kuzet-Signature`, base64 Ed25519 over the exact bytes).
    public var signer: (@Sendable (Data) -> String)?
    /// Told the registry's time after every answer (the receipt's `server_time`, else the HTTP
    /// `Date`), with when the request left (our clock) and its round trip: the agent's clock trust.
    public var clockWitness: ClockTrustMonitor?

    /// - Parameter timeouts: connect 10 s, total 60 s, abandon below 1 byte/s for 20 s by default.
    public init(
        registry: AgentConfiguration.Registry,
        timeouts: HTTPTimeouts = HTTPTimeouts(
            connect: .seconds(10), total: .seconds(60), lowSpeedBytesPerSecond: 1, lowSpeedTime: .seconds(20)),
        agentVersion: String = "dev"
    ) {
        self.url = registry.url
        self.tokenFile = registry.tokenFile
        let tls = TLSConfiguration(
            caFile: registry.caFile, clientCertificate: registry.clientCert, clientKey: registry.clientKey)
        self.http = HTTPClient(
            configuration: .init(
                tls: tls, timeouts: timeouts, maxResponseBytes: 1 << 20, userAgent: "kuzet-agent/\(agentVersion)"))
    }

    /// POSTs `entries` (oldest first) as one ``HeartbeatBatch``.
    public func send(_ entries: [OutboxEntry]) async -> DeliveryOutcome {
        let token: String
        switch readToken() {
        case .success(let value): token = value
        case .failure(let problem): return .retry(reason: problem.description, retryAfter: nil)
        }
        let body = Self.batchBody(entries)
        var headers = [
            ("Content-Type", "application/json"), ("Accept", "application/json"), ("Authorization", "Bearer \(token)"),
        ]
        if let signer { headers.append(("Kuzet-Signature", signer(body))) }
        let request = HTTPRequest(method: .post, url: url, headers: headers, body: body)
        let response: HTTPResponse
        let sentAt = clockWitness?.wallNow ?? Date()
        let started = MonotonicInstant.now()
        do {
            response = try await http.perform(request)
            if let clockWitness, let server = Self.serverTime(response) {
                clockWitness.registryTime(server, sentAt: sentAt, roundTripSeconds: started.elapsedSeconds)
            }
        } catch let error as HTTPTransportError {
            return .retry(reason: "registry: \(explain(error))", retryAfter: nil)
        } catch {
            return .retry(reason: "registry: \(error)", retryAfter: nil)
        }
        return Self.classify(response, url: url, tokenFile: tokenFile)
    }

    /// `{"heartbeats":[…],"version":1}` from the stored JSON, without decoding it again.
    static func batchBody(_ entries: [OutboxEntry]) -> Data {
        var body = Data(#"{"heartbeats":["#.utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(entry.json)
        }
        body.append(contentsOf: Data(#"],"version":\#(WireVersion.current)}"#.utf8))
        return body
    }

    /// The token from `registry.token_file`, or what is wrong with it (never its content).
    func readToken() -> Result<String, RegistryProblem> {
        guard let tokenFile else {
            return .failure(
                RegistryProblem(
                    "registry.token_file: not set — create a token with `kuzet-registry token create --role school --school ID --region R` and put it in a file"
                ))
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: tokenFile))
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: tokenFile)
                ? "cannot be read (check its permissions)" : "does not exist"
            return .failure(
                RegistryProblem(
                    "registry.token_file \(tokenFile): \(reason) — heartbeats stay queued until it holds the school's token"
                ))
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            return .failure(
                RegistryProblem(
                    "registry.token_file \(tokenFile): does not hold one token (empty or several words) — put only the token from `kuzet-registry token create` in it"
                ))
        }
        return .success(token)
    }

    /// A transport error with advice in terms of the agent's configuration keys.
    func explain(_ error: HTTPTransportError) -> String {
        var error = error
        switch error.kind {
        case .tlsCertificateNotTrusted, .tlsCAFileUnusable:
            error.advice = (error.advice ?? "") + " (registry.ca_file)"
        case .tlsClientCertificateUnusable, .tlsRejectedByServer:
            error.advice = (error.advice ?? "") + " (registry.client_cert / registry.client_key)"
        case .couldNotConnect, .couldNotResolve:
            error.advice = "check registry.url and the school's uplink; heartbeats stay queued"
        case .timedOut:
            error.advice = "the registry or the uplink did not answer in time; heartbeats stay queued"
        default: break
        }
        return error.description
    }

    static func classify(_ response: HTTPResponse, url: String, tokenFile: String?) -> DeliveryOutcome {
        let status = response.status
        let excerpt = String(response.bodyText.prefix(300)).replacingOccurrences(of: "\n", with: " ")
        switch status {
        case 200..<300:
            return .delivered(decodeReceipt(response.body))
        case 401, 403:
            return .retry(
                reason:
                    "registry: HTTP \(status) — the registry does not accept the token in registry.token_file \(tokenFile ?? "") for this school; put a valid school token there (heartbeats stay queued)",
                retryAfter: nil)
        case 408, 429:
            return .retry(reason: "registry: HTTP \(status) \(excerpt)", retryAfter: retryAfter(response))
        case 400..<500:
            return .refused(status: status, reason: "registry: HTTP \(status) refused the batch: \(excerpt)")
        default:
            return .retry(reason: "registry: HTTP \(status) \(excerpt)", retryAfter: retryAfter(response))
        }
    }

    /// The receipt, read tolerantly: the wire type's own keys, or the snake_case spelling
    /// (`highest_sequence`, `server_time`) the rest of the wire format uses.
    static func decodeReceipt(_ body: Data) -> HeartbeatReceipt? {
        let decoder = JSONDecoder.kuzetWire
        if let receipt = try? decoder.decode(HeartbeatReceipt.self, from: body) { return receipt }
        struct SnakeCase: Decodable {
            var accepted: Int
            var duplicates: Int
            var highest_sequence: UInt64
            var server_time: Date
        }
        guard let receipt = try? decoder.decode(SnakeCase.self, from: body) else { return nil }
        return HeartbeatReceipt(
            accepted: receipt.accepted, duplicates: receipt.duplicates, highestSequence: receipt.highest_sequence,
            serverTime: receipt.server_time)
    }

    /// The registry's clock in an answer: the receipt's `server_time` (milliseconds), else `Date`.
    static func serverTime(_ response: HTTPResponse) -> Date? {
        if (200..<300).contains(response.status), let receipt = decodeReceipt(response.body) {
            return receipt.serverTime
        }
        return response.header("Date").flatMap { httpDate($0) }
    }

    static func httpDate(_ value: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value)
    }

    /// `Retry-After` as delay-seconds or an HTTP date.
    static func retryAfter(_ response: HTTPResponse, now: Date = Date()) -> Duration? {
        guard let value = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        guard let date = httpDate(value) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
    }
}

/// Why a batch could not go out, in words for the log (no token, no password).
public struct RegistryProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
