import Foundation
import HTTPTypes
import KuzetProtocol
import Logging

extension Registry {
    /// Issues a command for police (the API's `POST /api/v1/schools/{id}/commands` and the
    /// dashboard's form): checks who asks and what, stores it, wakes the school's long-poll, and
    /// writes every attempt — refused ones too — to the audit log.
    func issueCommand(schoolID: String, fields: CommandRequest.Fields?, principal: Principal?, actor: String)
        async throws -> Result<PoliceCommand, CommandRefusal>
    {
        let now = self.now()
        let detail =
            fields.map {
                [
                    $0.kind ?? $0.type, $0.camera, $0.stream, ($0.duration_seconds ?? $0.seconds).map { "\($0) s" },
                    $0.from, $0.to,
                ]
                .compactMap { $0.map { String($0.prefix(64)) } }.joined(separator: " ")
            } ?? "(no valid body)"
        let result = try await checkedCommand(
            schoolID: schoolID, fields: fields, principal: principal, now: now, actor: actor)
        let outcome: String
        switch result {
        case .success(let command):
            try await store.insertCommand(command)
            commandWaiters.notify(school: schoolID)
            outcome = "ok"
        case .failure(let refusal):
            outcome = AuditEntry.outcome(refusal.apiError)
        }
        let commandID = try? result.get().id
        try await store.appendAudit(
            AuditEntry(
                at: now, actor: actor, action: "command.create", schoolID: String(schoolID.prefix(64)),
                commandID: commandID, detail: detail, outcome: outcome))
        if case .success(let command) = result {
            logger.info(
                "command issued",
                metadata: [
                    "command.id": "\(command.id)", "school.id": "\(schoolID)",
                    "command.kind": "\(command.kind.rawValue)",
                    "camera.id": "\(command.camera)", "command.by": "\(actor)",
                ])
        }
        return result
    }

    private func checkedCommand(
        schoolID: String, fields: CommandRequest.Fields?, principal: Principal?, now: Date, actor: String
    ) async throws -> Result<PoliceCommand, CommandRefusal> {
        guard let principal else {
            return .failure(
                CommandRefusal(
                    .unauthorized, code: "unauthorized",
                    problems: ["Authorization: no valid token — send `Authorization: Bearer <token>` of an operator"]))
        }
        guard principal.canCommand else {
            return .failure(
                CommandRefusal(
                    .forbidden, code: "forbidden",
                    problems: [
                        "token: a \(principal.role.rawValue) token may not issue commands — use an operator token (`kuzet-registry token create --role operator --region R`)"
                    ]))
        }
        guard SchoolIdentifier.isValid(schoolID), let record = try await store.school(id: schoolID) else {
            return .failure(
                CommandRefusal(
                    .notFound, code: "not_found",
                    problems: [
                        "school \(schoolID.prefix(64)): not found — check the id (GET /api/v1/schools lists the schools you may see)"
                    ]))
        }
        let region = record.region ?? UnknownRegion.name
        if let limited = principal.readableRegion, limited != region {
            return .failure(
                CommandRefusal(
                    .forbidden, code: "forbidden",
                    problems: [
                        "school \(schoolID): in another region than your token's (\(limited)) — an operator commands the schools of its own region"
                    ]))
        }
        guard let fields else {
            return .failure(
                CommandRefusal(
                    .badRequest, code: "invalid_json",
                    problems: [
                        "body: not a JSON object — send {\"kind\":\"live\",\"camera\":\"entrance\",\"duration_seconds\":300}"
                    ]))
        }
        let cameras = record.state.map { $0.cameras.map(\.report.id) }
        return CommandRequest.checked(fields, now: now, cameras: cameras?.isEmpty == true ? nil : cameras).map {
            $0.command(id: PoliceCommand.newID(), schoolID: schoolID, issuedBy: actor, at: now)
        }
    }

    /// Writes an audit entry; a failure to write it is logged, not thrown (the answer stands).
    func audit(_ entry: AuditEntry) async {
        do {
            try await store.appendAudit(entry)
        } catch {
            logger.error(
                "audit log: cannot write an entry (\(String(describing: error).prefix(200))) — check the database",
                metadata: ["audit.action": "\(entry.action)"])
        }
    }
}
