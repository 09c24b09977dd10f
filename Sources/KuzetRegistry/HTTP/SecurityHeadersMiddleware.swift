import HTTPTypes
import Hummingbird

/// Headers on every response: no framing, no sniffing, no referrer leaking `?token=`, a strict
/// content security policy (the dashboard has no script and loads nothing from elsewhere).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext
    let secure: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
        if secure { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}
