import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import KuzetCore

/// The police dashboard: `GET /` (regions, schools with flags), `GET /schools/{id}` (cameras, history).
///
/// How a browser authenticates: the dashboard takes the same viewer/admin tokens as the API, once —
/// pasted into the form at `/login`, or in a link `https://registry/?token=…` (the ЦОУ can bookmark
/// the link it was given). The token then lives in an HttpOnly, SameSite=Strict cookie
/// (`Secure` under HTTPS) for 12 hours, and a `?token=` link redirects at once to the same page
/// without the token, so it does not stay in the address bar or history. The page's language is
/// chosen the same way: `?lang=ru|kk|en` links on every page set the `kuzet_lang` cookie
/// (`SameSite=Lax`, a year) and redirect; without it, `Accept-Language` decides, else Russian.
struct DashboardRoutes {
    let registry: Registry
    let secureCookie: Bool
    static let cookieLifetime = 12 * 3600

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/") { request, context in
            try await guarded(request, context) { try await pages(request).home(request, $0) }
        }
        router.get("/fleet") { request, context in
            try await guarded(request, context) { try await pages(request).fleet(request, $0) }
        }
        router.get("/schools/{id}") { request, context in
            try await guarded(request, context) {
                try await pages(request).school(
                    context.parameters.get("id") ?? "", $0, here: request.uri,
                    session: context.viaCookie ? request.cookies[AuthenticationMiddleware.cookieName]?.value : nil)
            }
        }
        router.get("/login") { request, context in
            if let response = rememberingChoices(request, token: nil) { return response }
            return loginPage(request, message: nil, principal: context.principal, status: .ok)
        }
        router.post("/login") { request, context in try await login(request, context: context) }
        // Issue 22: an operator's command from the school page's forms.
        router.post("/schools/{id}/commands") { request, context in
            try await DashboardCommandForm(routes: self).issue(request, context: context)
        }
        router.post("/logout") { _, _ in
            var response = redirect(to: "/login")
            response.headers[.setCookie] = cookie(value: "", maxAge: 0)
            return response
        }
    }

    func pages(_ request: Request) -> DashboardPages {
        DashboardPages(registry: registry, text: DashboardText.text(for: request, registry: registry))
    }

    /// Runs `page` for a reader; handles `?token=` and `?lang=` (cookies + redirect without them)
    /// and sends others to /login.
    func guarded(_ request: Request, _ context: RegistryRequestContext, page: (Principal) async throws -> Response)
        async throws -> Response
    {
        if let token = request.uri.queryParameters.get("token") {
            guard let principal = try await registry.principal(forToken: token), principal.canRead else {
                return loginPage(request, message: "login.bad_link", principal: nil, status: .unauthorized)
            }
        }
        if let response = rememberingChoices(request, token: request.uri.queryParameters.get("token")) {
            return response
        }
        guard let principal = context.principal else { return redirect(to: "/login") }
        guard principal.canRead else {
            return loginPage(request, message: "login.school_token", principal: nil, status: .forbidden)
        }
        return try await page(principal)
    }

    /// For a link with `?token=` (already checked) or `?lang=`: the cookies that remember them and
    /// a redirect to the same page without them (so the token leaves the address bar and a reload
    /// keeps the language from the cookie). Nil when the link has neither.
    func rememberingChoices(_ request: Request, token: String?) -> Response? {
        let language = request.uri.queryParameters.get("lang")
        guard token != nil || language != nil else { return nil }
        var response = redirect(to: Self.pathWithoutChoices(request.uri))
        if let token {
            response.headers.append(
                HTTPField(name: .setCookie, value: cookie(value: token, maxAge: Self.cookieLifetime)))
        }
        if let chosen = language.flatMap(PageLanguage.init(tag:)) {
            response.headers.append(HTTPField(name: .setCookie, value: chosen.cookie(secure: secureCookie)))
        }
        return response
    }

    func login(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        let form = String(buffer: buffer)
        let token =
            form.split(separator: "&").compactMap { pair -> String? in
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0] == "token" else { return nil }
                return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }.first ?? ""
        guard let principal = try await registry.principal(forToken: token), principal.canRead else {
            return loginPage(request, message: "login.bad_token", principal: nil, status: .unauthorized)
        }
        var response = redirect(to: "/")
        response.headers[.setCookie] = cookie(value: token, maxAge: Self.cookieLifetime)
        return response
    }

    /// The sign-in page; `message` is a catalogue key.
    func loginPage(_ request: Request, message: String?, principal: Principal?, status: HTTPResponse.Status) -> Response
    {
        let pages = pages(request)
        let text = pages.text
        let error = message.map { "<p class=\"error\">\(text.html($0))</p>" } ?? ""
        let body = """
            <h1>\(text.html("login.heading"))</h1>
            \(error)
            <form method="post" action="/login" class="login">
            <label for="token">\(text.html("login.token"))</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required>
            <button type="submit">\(text.html("login.open"))</button>
            <p class="muted">\(text.html("login.help", ["command": "<code>kuzet-registry token create --role viewer</code>"]))</p>
            </form>
            """
        return pages.respond(
            title: text.plain("login.heading"), principal: principal, body: body, here: request.uri, status: status)
    }

    func cookie(value: String, maxAge: Int) -> String {
        "\(AuthenticationMiddleware.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
            + (secureCookie ? "; Secure" : "")
    }

    func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func pathWithoutChoices(_ uri: URI) -> String {
        let rest = uri.queryParameters.filter { $0.key != "token" && $0.key != "lang" }
            .map { "\(HTML.query(String($0.key)))=\(HTML.query(String($0.value)))" }
        return uri.path + (rest.isEmpty ? "" : "?" + rest.joined(separator: "&"))
    }
}
