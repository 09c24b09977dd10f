import Foundation
import HTTPTypes
import Hummingbird

/// The police side of issue 22: `POST/GET /api/v1/schools/{id}/commands`, `GET /api/v1/commands/{id}`
/// (one command and its contract `status`), `GET /api/v1/commands/{id}/result` (its clip or snapshot;
/// `GET /api/v1/clips/{id}` is the same) and `GET /api/v1/audit`.
struct CommandRoutes {
    let registry: Registry

    /// A command request's body at most.
    static let maximumBodyBytes = 16 * 1024
    /// Commands listed per school.
    static let listLimit = 100

    func add(to router: Router<RegistryRequestContext>) {
        router.post("/api/v1/schools/{id}/commands") { request, context in try await issue(request, context: context) }
        router.get("/api/v1/schools/{id}/commands") { request, context in try await list(request, context: context) }
        router.get("/api/v1/commands/{id}") { request, context in try await command(request, context: context) }
        router.get("/api/v1/commands/{id}/result") { request, context in try await clip(request, context: context) }
        router.get("/api/v1/clips/{id}") { request, context in try await clip(request, context: context) }
        router.get("/api/v1/audit") { request, context in try await audit(request, context: context) }
    }

    func issue(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let schoolID = context.parameters.get("id") ?? ""
        var fields: CommandRequest.Fields?
        if context.principal?.canCommand == true {
            let body = try await request.body.collect(upTo: Self.maximumBodyBytes)
            fields = try? RegistryJSON.decoder.decode(CommandRequest.Fields.self, from: Data(body.readableBytesView))
        }
        let result = try await registry.issueCommand(
            schoolID: schoolID, fields: fields, principal: context.principal,
            actor: CommandActor.name(request, context))
        switch result {
        case .success(let command):
            return try JSONResponse.make(CommandJSON.PoliceView(command, now: registry.now()), status: .accepted)
        case .failure(let refusal):
            var error = refusal.apiError
            if refusal.status == .unauthorized { error.headers = APIError.unauthorized.headers }
            throw error
        }
    }

    func list(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        let id = context.parameters.get("id") ?? ""
        guard let record = try await registry.visibleSchool(id: id, for: principal) else {
            throw APIError.notFound("school \(id.prefix(64))")
        }
        let commands = try await registry.store.commands(schoolID: record.id, limit: Self.listLimit)
        let now = registry.now()
        return try JSONResponse.make(CommandJSON.PoliceList(commands: commands.map { .init($0, now: now) }))
    }

    /// One command as police read it (its `state` and the contract's `status`): for roles that may
    /// read its school; 404 for any other, as for other schools' data.
    func command(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        let id = context.parameters.get("id") ?? ""
        guard PoliceCommand.isValidID(id), let command = try await registry.store.command(id: id),
            try await registry.visibleSchool(id: command.schoolID, for: principal) != nil
        else {
            throw APIError.notFound("command \(id.prefix(64))")
        }
        return try JSONResponse.make(CommandJSON.PoliceView(command, now: registry.now()))
    }

    func clip(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        var entry = AuditEntry(
            at: registry.now(), actor: CommandActor.name(request, context), action: "clip.read", schoolID: nil,
            commandID: String(id.prefix(64)), detail: "", outcome: "ok")
        do {
            let (response, schoolID) = try await clipFile(id, context: context)
            entry.schoolID = schoolID
            await registry.audit(entry)
            return response
        } catch let error as APIError {
            entry.outcome = AuditEntry.outcome(error)
            await registry.audit(entry)
            throw error
        }
    }

    private func clipFile(_ id: String, context: RegistryRequestContext) async throws -> (Response, String) {
        let principal = try context.reader()
        let now = registry.now()
        guard PoliceCommand.isValidID(id), let command = try await registry.store.command(id: id),
            try await registry.visibleSchool(id: command.schoolID, for: principal) != nil
        else { throw APIError.notFound("clip \(id.prefix(64))") }
        guard let evidence = command.evidence, let store = registry.evidence else {
            throw APIError(
                .notFound, code: "not_ready",
                message:
                    "clip \(id): not arrived yet (command \(command.state(at: now).rawValue)) — GET /api/v1/commands/\(id) shows when it is done"
            )
        }
        let body = try await FileIO().loadFile(path: store.filePath(command), context: context)
        let type = command.kind == .snapshot ? "image/jpeg" : "video/mp4"
        let name = "\(command.schoolID)-\(command.camera)-\(command.id).\(command.evidenceExtension)"
            .filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        let response = Response(
            status: .ok,
            headers: [
                .contentType: type, .contentLength: String(evidence.bytes), .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(name)\"", .kuzetSHA256: evidence.sha256,
            ], body: body)
        return (response, command.schoolID)
    }

    func audit(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        guard principal.role == .admin else {
            throw APIError.forbidden("token: the audit log is for admins — use an admin token")
        }
        let parameters = request.uri.queryParameters
        var since = Date(timeIntervalSince1970: 0)
        if let text = parameters.get("since") {
            guard let date = WireDateFormat.parse(text) else {
                throw APIError.badQuery(
                    "since: \"\(text.prefix(40))\" — send an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z")
            }
            since = date
        }
        var limit = 1000
        if let text = parameters.get("limit") {
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw APIError.badQuery("limit: \"\(text.prefix(20))\" — send a whole number 1…10000")
            }
            limit = value
        }
        let entries = try await registry.store.audit(since: since, limit: limit)
        return try JSONResponse.make(
            CommandJSON.Audit(
                entries: entries.map {
                    .init(
                        at: $0.at, actor: $0.actor, action: $0.action, school_id: $0.schoolID, command_id: $0.commandID,
                        detail: $0.detail, outcome: $0.outcome)
                }, next_since: entries.count == limit ? entries.last?.at : nil))
    }
}

extension HTTPField.Name {
    /// The SHA-256 (hex) of a whole clip or snapshot: sent with each upload chunk, answered with the file.
    static let kuzetSHA256 = HTTPField.Name("Kuzet-SHA256")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
}
