import Foundation
import HTTPTypes
import Hummingbird

/// The agent side of issue 22: `GET /api/v1/agent/commands?wait=S` (the long-poll) and
/// `POST /api/v1/agent/commands/{id}/status`. Both take the school's token, as heartbeats do.
///
/// A long-poll holds its connection while it waits: `ConnectionDeadlines` starts no deadline
/// between a request's end and its answer, so the wait (≤ 30 s) is never cut by them.
struct AgentCommandRoutes {
    let registry: Registry

    /// The longest wait an agent may ask for, and the default.
    static let maximumWait = 30
    static let defaultWait = 25
    /// Commands in one answer at most (the agent runs them one after another).
    static let answerLimit = 20

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/api/v1/agent/commands") { request, context in try await poll(request, context: context) }
        router.post("/api/v1/agent/commands/{id}/status") { request, context in
            try await status(request, context: context)
        }
    }

    func poll(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let schoolID = try context.agentSchool()
        var wait = Self.defaultWait
        for (key, _) in request.uri.queryParameters where key != "wait" {
            throw APIError.badQuery("\(String(key).prefix(40)): unknown query parameter — use wait")
        }
        if let text = request.uri.queryParameters.get("wait") {
            guard let value = Int(text), (0...Self.maximumWait).contains(value) else {
                throw APIError.badQuery("wait: \"\(text.prefix(20))\" — send whole seconds 0…\(Self.maximumWait)")
            }
            wait = value
        }
        let deadline = ContinuousClock.now + .seconds(wait)
        while true {
            let pending = try await registry.store.pendingCommands(
                schoolID: schoolID, at: registry.now(), limit: Self.answerLimit)
            if !pending.isEmpty { return try answer(pending) }
            registry.commandWaiters.forgetPending(school: schoolID)
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return try answer([]) }
            switch await registry.commandWaiters.wait(school: schoolID, for: remaining) {
            case .command: continue
            case .timeout, .replaced, .cancelled: return try answer([])
            case .refused:
                throw APIError(
                    .serviceUnavailable, code: "too_many_polls",
                    message:
                        "commands: \(registry.commandWaiters.maximum) agents are waiting already — poll again later (heartbeat receipts carry commands too)",
                    headers: [.retryAfter: "10"])
            }
        }
    }

    private func answer(_ commands: [PoliceCommand]) throws -> Response {
        try JSONResponse.make(CommandJSON.AgentCommands(commands: commands.map(CommandJSON.AgentCommand.init)))
    }

    struct StatusReport: Decodable {
        var state: String
        var message: String?
        var bytes: Int64?
    }

    func status(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let schoolID = try context.agentSchool()
        let id = context.parameters.get("id") ?? ""
        let body = try await request.body.collect(upTo: 16 * 1024)
        var entry = AuditEntry(
            at: registry.now(), actor: "school/\(schoolID)", action: "command.status", schoolID: schoolID,
            commandID: String(id.prefix(64)), detail: "", outcome: "ok")
        do {
            guard PoliceCommand.isValidID(id), let command = try await registry.store.command(id: id),
                command.schoolID == schoolID
            else { throw APIError.notFound("command \(id.prefix(64))") }
            guard let report = try? RegistryJSON.decoder.decode(StatusReport.self, from: Data(body.readableBytesView)),
                let state = PoliceCommand.State(rawValue: report.state), state != .pending
            else {
                throw APIError(
                    .unprocessableContent, code: "invalid_status",
                    message:
                        "body: not a status — send {\"state\":\"accepted|running|done|failed|refused|expired\",\"message\":…,\"bytes\":…}"
                )
            }
            if let bytes = report.bytes, bytes < 0 {
                throw APIError(.unprocessableContent, code: "invalid_status", message: "bytes: below 0 — send a count")
            }
            let message = report.message.map { String($0.prefix(CommandLimits.maximumMessageLength)) }
            entry.detail = state.rawValue + (message.map { ": " + $0 } ?? "")
            if state == .done && command.bringsEvidence && command.evidence == nil {
                throw APIError(
                    .conflict, code: "upload_incomplete",
                    message:
                        "command \(id): done needs the \(command.kind.rawValue) uploaded — PATCH /api/v1/agent/uploads/\(id) until Upload-Offset reaches Upload-Length"
                )
            }
            guard
                try await registry.store.updateCommand(
                    id: id, state: state, message: message, bytes: report.bytes, evidence: nil, at: registry.now())
            else {
                throw APIError(
                    .conflict, code: "command_final",
                    message: "command \(id): already \(command.state.rawValue) — a final state does not change")
            }
            await registry.audit(entry)
            return Response(status: .noContent)
        } catch let error as APIError {
            entry.outcome = AuditEntry.outcome(error)
            await registry.audit(entry)
            throw error
        }
    }
}

extension RegistryRequestContext {
    /// The school of an agent's request; 401 without a token, 403 for police tokens.
    func agentSchool() throws -> String {
        guard let principal else { throw APIError.unauthorized }
        guard principal.role == .school, let school = principal.schoolID, !viaCookie else {
            throw APIError.forbidden(
                "token: only a school's agent fetches commands and uploads — use the school token (`kuzet-registry token create --role school`)"
            )
        }
        return school
    }
}
