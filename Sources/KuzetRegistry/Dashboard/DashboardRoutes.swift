import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The police dashboard: `GET /` (regions, schools with flags), `GET /schools/{id}` (cameras, history).
///
/// How a browser authenticates: the dashboard takes the same viewer/admin tokens as the API, once —
/// pasted into the form at `/login`, or in a link `https://registry/?token=…` (the ЦОУ can bookmark
/// the link it was given). The token then lives in an HttpOnly, SameSite=Strict cookie
/// (`Secure` under HTTPS) for 12 hours, and a `?token=` link redirects at once to the same page
/// without the token, so it does not stay in the address bar or history.
struct DashboardRoutes {
    let registry: Registry
    let secureCookie: Bool
    static let cookieLifetime = 12 * 3600

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/") { request, context in try await guarded(request, context) { try await DashboardPages(registry: registry).home(request, $0) } }
        router.get("/schools/{id}") { request, context in
            try await guarded(request, context) { try await DashboardPages(registry: registry).school(context.parameters.get("id") ?? "", $0) }
        }
        router.get("/login") { _, context in loginPage(message: nil, principal: context.principal, status: .ok) }
        router.post("/login") { request, context in try await login(request, context: context) }
        router.post("/logout") { _, _ in
            var response = redirect(to: "/login")
            response.headers[.setCookie] = cookie(value: "", maxAge: 0)
            return response
        }
    }

    /// Runs `page` for a reader; handles `?token=` (cookie + redirect without it) and sends others to /login.
    func guarded(_ request: Request, _ context: RegistryRequestContext, page: (Principal) async throws -> Response) async throws -> Response {
        if let token = request.uri.queryParameters.get("token") {
            guard let principal = try await registry.principal(forToken: token), principal.canRead else {
                return loginPage(message: "That link's token is not valid for the dashboard — ask for a viewer token.", principal: nil, status: .unauthorized)
            }
            var response = redirect(to: Self.pathWithoutToken(request.uri))
            response.headers[.setCookie] = cookie(value: token, maxAge: Self.cookieLifetime)
            return response
        }
        guard let principal = context.principal else { return redirect(to: "/login") }
        guard principal.canRead else {
            return loginPage(message: "A school token cannot open the dashboard — use a viewer or admin token.", principal: nil, status: .forbidden)
        }
        return try await page(principal)
    }

    func login(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        let form = String(buffer: buffer)
        let token = form.split(separator: "&").compactMap { pair -> String? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0] == "token" else { return nil }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding?.trimmingCharacters(in: .whitespacesAndNewlines)
        }.first ?? ""
        guard let principal = try await registry.principal(forToken: token), principal.canRead else {
            return loginPage(message: "That token is not a valid viewer or admin token — check it and try again.", principal: nil, status: .unauthorized)
        }
        var response = redirect(to: "/")
        response.headers[.setCookie] = cookie(value: token, maxAge: Self.cookieLifetime)
        return response
    }

    func loginPage(message: String?, principal: Principal?, status: HTTPResponse.Status) -> Response {
        let error = message.map { "<p class=\"error\">\(HTML.escape($0))</p>" } ?? ""
        let body = """
            <h1>Sign in</h1>
            \(error)
            <form method="post" action="/login" class="login">
            <label for="token">Viewer or admin token</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required>
            <button type="submit">Open the dashboard</button>
            <p class="muted">Tokens come from <code>kuzet-registry token create --role viewer</code>. You stay signed in for 12 hours on this browser.</p>
            </form>
            """
        return JSONResponse.text(HTML.page(title: "Sign in", principal: principal, body: body), contentType: "text/html; charset=utf-8", status: status)
    }

    func cookie(value: String, maxAge: Int) -> String {
        "\(AuthenticationMiddleware.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "")
    }

    func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func pathWithoutToken(_ uri: URI) -> String {
        let rest = uri.queryParameters.filter { $0.key != "token" }
            .map { "\(HTML.query(String($0.key)))=\(HTML.query(String($0.value)))" }
        return uri.path + (rest.isEmpty ? "" : "?" + rest.joined(separator: "&"))
    }
}
