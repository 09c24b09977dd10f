import HTTPTypes
import Hummingbird

/// Headers on every response: no framing, no sniffing, no referrer leaking `?token=`, a strict
/// content security policy (the dashboard has no script and loads nothing from elsewhere).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext
    let secure: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        Self.add(to: &response.headers, secure: secure)
        return response
    }

    /// The headers, also for responses written without the router (`HeartbeatFastPath`).
    static func add(to fields: inout HTTPFields, secure: Bool) {
        fields[.xContentTypeOptions] = "nosniff"
        fields[xFrameOptions] = "DENY"
        fields[referrerPolicy] = "no-referrer"
        fields[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
        if secure { fields[.strictTransportSecurity] = "max-age=31536000" }
    }

    private static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    private static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
