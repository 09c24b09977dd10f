import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Which requests `serve` logs: none, the refused and failed ones (status 400 and above: an agent
/// whose heartbeats are rejected, a dashboard user without a valid token), or every one.
public enum AccessLog: String, Sendable, CaseIterable {
    case off, errors, all
}

/// One log line per request (per refused request with ``AccessLog/errors``): method, path, status,
/// time taken, the caller's address and, once its token was recognised, who it is (role, school),
/// and for a refusal the reason the client was given. Never a token, a cookie or a query string.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext
    let level: AccessLog
    let logger: Logger
    /// How the client's address is found behind trusted reverse proxies.
    var forwarded = ForwardedClient(trustedProxies: [])

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard level != .off else { return try await next(request, context) }
        let started = ContinuousClock.now
        var context = context
        let caller = AccessLogCaller()
        context.accessLogCaller = caller
        do {
            let response = try await next(request, context)
            if level == .all || response.status.code >= 400 {
                log(request, context: context, caller: caller, status: response.status, problem: nil, since: started)
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let problem: String =
                if let error = error as? APIError { error.message } else if let error = error as? HTTPError {
                    error.body ?? error.status.reasonPhrase
                } else { String(describing: type(of: error)) }
            log(request, context: context, caller: caller, status: status, problem: problem, since: started)
            throw error
        }
    }

    private func log(
        _ request: Request, context: Context, caller: AccessLogCaller, status: HTTPResponse.Status, problem: String?,
        since started: ContinuousClock.Instant
    ) {
        let milliseconds = (ContinuousClock.now - started) / .milliseconds(1)
        var metadata: Logger.Metadata = [
            "http.method": "\(request.method.rawValue)",
            "http.path": "\(request.uri.path)",
            "http.status": "\(status.code)",
            "http.duration_ms": "\(String(format: "%.1f", milliseconds))",
        ]
        let (client, proxy) = forwarded.client(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor])
        if let client { metadata["client.address"] = "\(client)" }
        if let proxy { metadata["proxy.address"] = "\(proxy)" }
        if let principal = caller.principal {
            metadata["caller.role"] = "\(principal.role.rawValue)"
            if let school = principal.schoolID { metadata["caller.school"] = "\(school)" }
            if let region = principal.region { metadata["caller.region"] = "\(region)" }
        }
        if let problem { metadata["http.problem"] = "\(problem.prefix(300))" }
        let line = "\(request.method.rawValue) \(request.uri.path) \(status.code)"
        logger.log(
            level: status.code >= 500 ? .error : status.code >= 400 ? .notice : .info, "\(line)", metadata: metadata)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

/// Who the caller turned out to be, filled in by `AuthenticationMiddleware` further down the chain
/// (a context is a value: what a later middleware sets does not come back up to an earlier one).
final class AccessLogCaller: Sendable {
    private let recognised = Mutex<Principal?>(nil)
    var principal: Principal? {
        get { recognised.withLock { $0 } }
        set { recognised.withLock { $0 = newValue } }
    }
}
