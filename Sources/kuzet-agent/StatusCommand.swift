import ArgumentParser
import Foundation
import KuzetAgent
import KuzetCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Asks a running agent for its status.",
        discussion: "Set KUZET_STATUS_PASSWORD when the agent's status.password is set.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "The agent's status service (status.listen).")
    var url: String = "http://127.0.0.1:8080"

    @Option(help: "table or json.")
    var format: Format = .table

    func run() async throws {
        guard let base = URL(string: url), base.scheme == "http" || base.scheme == "https", base.host != nil else {
            throw CommandFailure.usage(
                "--url: '\(url)' is not an http:// URL — give the agent's status.listen, e.g. http://127.0.0.1:8080")
        }
        var request = URLRequest(url: base.appendingPathComponent("api/v1/status"), timeoutInterval: 10)
        if let password = ProcessInfo.processInfo.environment["KUZET_STATUS_PASSWORD"] {
            request.setValue(
                "Basic " + Data("kuzet:\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        }
        let challenges = ChallengeRecorder()
        let session = URLSession(configuration: .ephemeral, delegate: challenges, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await session.data(for: request)
        } catch  where challenges.wasChallenged {
            throw CommandFailure.runtime(
                "status: \(url) wants a password — set KUZET_STATUS_PASSWORD to the agent's status.password")
        } catch {
            throw CommandFailure.runtime(
                "status: no agent answers at \(url) (\(error.localizedDescription)) — is `kuzet-agent run` running, and is --url its status.listen?"
            )
        }
        let code = (response as? HTTPURLResponse)?.statusCode ?? 0
        if code == 401 {
            throw CommandFailure.runtime(
                "status: \(url) wants a password — set KUZET_STATUS_PASSWORD to the agent's status.password")
        }
        guard code == 200, let report = try? StatusReport.decoder.decode(StatusReport.self, from: data) else {
            throw CommandFailure.runtime("status: \(url) answered HTTP \(code), not a Kuzet status — check --url")
        }
        switch format {
        case .json: print(String(decoding: try StatusReport.encoder.encode(report), as: UTF8.self))
        case .table: print(StatusTable.render(report), terminator: "")
        }
    }
}

/// Refuses HTTP authentication challenges (and remembers one came): the password, if any, is
/// already in the request, and FoundationNetworking would otherwise wait on a 401 for ever.
final class ChallengeRecorder: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    // @unchecked Sendable: `challenged` is guarded by `lock`.
    private let lock = NSLock()
    private var challenged = false

    var wasChallenged: Bool { lock.withLock { challenged } }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        lock.withLock { challenged = true }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}
