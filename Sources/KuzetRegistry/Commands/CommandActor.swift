import Foundation
import Hummingbird

/// Who made a request, as the audit log and a command's `issued_by` name it: `role/region/hash`
/// for police (the hash's first 12 characters, as `token list` prints them; `*` for every
/// region), `school/ID` for an agent, `unauthenticated` without a token. Never the token.
enum CommandActor {
    static func name(_ request: Request, _ context: RegistryRequestContext) -> String {
        guard let principal = context.principal else { return "unauthenticated" }
        if principal.role == .school { return "school/\(principal.schoolID ?? "?")" }
        let token: String? =
            if let header = request.headers[.authorization] {
                AuthenticationMiddleware.bearerToken(header)
            } else {
                request.cookies[AuthenticationMiddleware.cookieName]?.value
            }
        let hash = token.map { String(AccessToken.hash($0).prefix(12)) } ?? "?"
        return "\(principal.role.rawValue)/\(principal.region ?? "*")/\(hash)"
    }
}
