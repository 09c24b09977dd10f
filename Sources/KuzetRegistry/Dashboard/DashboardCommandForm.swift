import Foundation
import HTTPTypes
import Hummingbird
import KuzetCore
import Logging

/// `POST /schools/{id}/commands`: the school page's forms (live, clip, snapshot). Only from the
/// dashboard's own page: the session cookie, the form's CSRF token and, when the browser names
/// one, an `Origin` of this registry. A command issued goes back to the school's page (its table
/// shows it pending); a refused one shows the page with the reason.
struct DashboardCommandForm {
    let routes: DashboardRoutes

    func issue(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let registry = routes.registry
        let schoolID = context.parameters.get("id") ?? ""
        let pages = routes.pages(request)
        guard let principal = context.principal, principal.canRead, context.viaCookie,
            let session = request.cookies[AuthenticationMiddleware.cookieName]?.value
        else { return routes.redirect(to: "/login") }
        let body = try await request.body.collect(upTo: 16 * 1024)
        let form = Self.fields(String(buffer: body))
        let authority = request.head.authority ?? ""
        let origin = request.headers[.origin]
        let refusal: String? =
            // `Origin: null` is what browsers send under our `Referrer-Policy: no-referrer`: the
            // CSRF token decides then. A named origin must be this registry.
            if let origin, origin != "null", !Self.isOrigin(origin, of: authority) {
                "Origin \(origin.prefix(100)) is not this registry (\(authority.prefix(100)))"
            } else if form["csrf"] != DashboardCSRF.token(session: session) {
                "the form's CSRF token is \(form["csrf"] == nil ? "missing" : "wrong")"
            } else {
                nil
            }
        if let refusal {
            let entry = AuditEntry(
                at: registry.now(), actor: CommandActor.name(request, context), action: "command.create",
                schoolID: String(schoolID.prefix(64)), commandID: nil, detail: "dashboard form",
                outcome: "403 forbidden: \(refusal) — send it from the school's page")
            await registry.audit(entry)
            registry.logger.notice(
                "dashboard command form refused: \(refusal)", metadata: ["school.id": "\(schoolID.prefix(64))"])
            return try await pages.school(
                schoolID, principal, here: request.uri, session: session,
                notice: .refused(pages.text.plain("command.csrf")), status: .forbidden)
        }
        var fields = CommandRequest.Fields(kind: form["kind"], camera: form["camera"])
        if let stream = form["stream"], !stream.isEmpty { fields.stream = stream }
        if let minutes = form["minutes"] {
            fields.duration_seconds = Double(minutes).map { Int(($0 * 60).rounded()) } ?? -1
        }
        let zone = registry.pageTimeZone
        for (name, keyPath) in [("from", \CommandRequest.Fields.from), ("to", \CommandRequest.Fields.to)] {
            guard let text = form[name], !text.isEmpty else { continue }
            fields[keyPath: keyPath] = DashboardLocalTime.parse(text, zone: zone).map(WireDateFormat.format) ?? text
        }
        let result = try await registry.issueCommand(
            schoolID: schoolID, fields: fields, principal: principal, actor: CommandActor.name(request, context))
        switch result {
        case .success:
            return routes.redirect(to: "/schools/\(HTML.query(schoolID))#commands")
        case .failure(let refusal):
            return try await pages.school(
                schoolID, principal, here: request.uri, session: session,
                notice: .refused(refusal.problems.joined(separator: "; ")), status: refusal.status)
        }
    }

    /// Whether a browser's `Origin` names the host (and port) the request was sent to.
    static func isOrigin(_ origin: String, of authority: String) -> Bool {
        guard let url = URL(string: origin), let host = url.host, !authority.isEmpty else { return false }
        let port = url.port.map { ":\($0)" } ?? ""
        return authority == host + port || authority == host
    }

    /// An `application/x-www-form-urlencoded` body's fields (the first of each name).
    static func fields(_ form: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = parts.first.map({ String($0) }), fields[name] == nil else { continue }
            let value = parts.count == 2 ? String(parts[1]) : ""
            fields[name] = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
        }
        return fields
    }
}
