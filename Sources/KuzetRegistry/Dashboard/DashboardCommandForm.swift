import Foundation
import HTTPTypes
import Hummingbird
import KuzetCore

/// `POST /schools/{id}/commands`: the school page's forms (live, clip, snapshot). Only from the
/// dashboard's own page: the session cookie, the form's CSRF token and, when the browser sends
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
        let sameOrigin = request.headers[.origin].map { origin in
            origin == "null" ? false : URL(string: origin)?.host.map { host in
                let authority = request.head.authority ?? ""
                let port = URL(string: origin)?.port.map { ":\($0)" } ?? ""
                return authority == host + port || authority == host
            } ?? false
        } ?? true
        guard sameOrigin, form["csrf"] == DashboardCSRF.token(session: session) else {
            let entry = AuditEntry(
                at: registry.now(), actor: CommandActor.name(request, context), action: "command.create",
                schoolID: String(schoolID.prefix(64)), commandID: nil, detail: "dashboard form",
                outcome: "403 forbidden: the form did not come from this registry's page (CSRF check)")
            await registry.audit(entry)
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
