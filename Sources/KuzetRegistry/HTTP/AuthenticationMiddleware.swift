import Foundation
import HTTPTypes
import Hummingbird

/// Recognises `Authorization: Bearer <token>` or the dashboard's `kuzet_session` cookie and puts the
/// caller in the context. It does not refuse anything itself: each route says what it needs.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext
    let registry: Registry

    static let cookieName = "kuzet_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let header = request.headers[.authorization] {
            guard let token = Self.bearerToken(header) else {
                throw APIError(
                    .unauthorized, code: "unauthorized",
                    message: "Authorization: not a bearer token — send `Authorization: Bearer <token>`",
                    headers: [.wwwAuthenticate: "Bearer realm=\"kuzet-registry\""])
            }
            guard let principal = try await registry.principal(forToken: token) else {
                throw APIError.unauthorized
            }
            context.principal = principal
        } else if let token = request.cookies[Self.cookieName]?.value,
            let principal = try await registry.principal(forToken: token)
        {
            context.principal = principal
            context.viaCookie = true
        }
        context.accessLogCaller?.principal = context.principal
        return try await next(request, context)
    }

    /// The token of an `Authorization: Bearer <token>` header; nil for any other scheme.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return trimmed(parts[1])
    }

    /// The credentials without the spaces and tabs around them (HTTP's optional whitespace). Not
    /// Foundation's `trimmingCharacters`: on every heartbeat, that was 1.4 % of the server's CPU.
    static func trimmed(_ credentials: Substring) -> String {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let bytes = credentials.utf8
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) })
        else { return "" }
        return String(Substring(bytes[first...last]))
    }
}

extension RegistryRequestContext {
    /// The caller if it may read (viewer or admin); 401 without a token, 403 for a school token.
    func reader() throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        guard principal.canRead else {
            throw APIError.forbidden(
                "token: a school token can only send heartbeats — use a viewer or admin token to read")
        }
        return principal
    }
}
