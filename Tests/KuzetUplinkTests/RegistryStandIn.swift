import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetProtocol
import KuzetTestKit

/// A test's registry side: a CA, a server certificate, a school token file and client certificate,
/// and a real HTTPS server (Python `ssl`) that records what arrives.
final class RegistryWorld: Sendable {
    let folder: TemporaryDirectory
    let authority: TestCertificateAuthority
    let serverIdentity: TestCertificateAuthority.Identity
    let clientIdentity: TestCertificateAuthority.Identity
    let token = "kzt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    let tokenFile: String

    init() throws {
        folder = try TemporaryDirectory(prefix: "kuzet-uplink")
        authority = try TestCertificateAuthority(name: "registry-ca", in: folder.path)
        serverIdentity = try authority.issueServer("registry")
        clientIdentity = try authority.issueClient(Fixtures.school)
        tokenFile = folder.file("token")
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
    }

    /// An HTTPS registry stand-in requiring the token (and, with `mutualTLS`, a client certificate).
    func startServer(mutualTLS: Bool = false, port: Int = 0) throws -> RecordingHTTPServer {
        try RecordingHTTPServer(
            tls: serverIdentity, clientCA: mutualTLS ? authority.certificate : nil, bearerToken: token, port: port)
    }

    /// `registry:` as the agent's configuration would have it.
    func registry(url: String, mutualTLS: Bool = false, caFile: String? = nil, tokenFile: String? = nil)
        -> AgentConfiguration.Registry
    {
        AgentConfiguration.Registry(
            url: url, tokenFile: tokenFile ?? self.tokenFile, intervalSeconds: 30,
            caFile: caFile ?? authority.certificate,
            clientCert: mutualTLS ? clientIdentity.certificate : nil, clientKey: mutualTLS ? clientIdentity.key : nil,
            outbox: folder.file("outbox"))
    }
}

extension RecordingHTTPServer {
    /// Heartbeat POSTs the stand-in stored (not those answered from the queue or refused).
    func storedBatches() -> [[Heartbeat]] {
        requests().filter { $0.path == "/api/v1/heartbeats" && $0.accepted != nil }.compactMap {
            try? JSONDecoder.kuzetWire.decode(HeartbeatBatch.self, from: Data($0.body.utf8)).heartbeats
        }
    }

    /// Sequences in the order the stand-in received and stored them.
    func storedSequences() -> [UInt64] { storedBatches().flatMap { $0.map(\.sequence) } }

    /// Heartbeats the stand-in saw a second time (same school and sequence).
    func duplicateCount() -> Int { requests().compactMap(\.duplicates).reduce(0, +) }
}
