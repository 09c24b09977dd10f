import Foundation
import HTTPTypes
import Hummingbird
import KuzetProtocol
import Logging

/// `POST /api/v1/heartbeats`: a school's agent reports (one heartbeat or a batch from its outbox).
///
/// Most requests never get here: `HeartbeatFastPath` answers the well-formed ones from a known
/// token on the event loop. This route answers the rest (every refusal, a token not yet
/// recognised, a store that failed) and every request when the fast path is off.
struct HeartbeatRoutes {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.post("/api/v1/heartbeats") { request, context in
            do {
                let response = try await receive(request, context: context)
                registry.metrics.heartbeatRequest(status: response.status.code)
                return response
            } catch {
                registry.metrics.heartbeatRequest(status: (error as? any HTTPResponseError)?.status.code ?? 500)
                throw error
            }
        }
    }

    func receive(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let schoolID = try HeartbeatIntake.sender(
            principal: context.principal, viaCookie: context.viaCookie, contentType: request.headers[.contentType])
        let body = try await collectBody(request)
        let intake = try HeartbeatIntake(schoolID: schoolID, body: body)
        let receivedAt = registry.now()
        let key = try await registry.retentionProofs.admit(
            intake, signature: request.headers[RetentionProofs.signatureField], body: body, at: receivedAt)
        try registry.chargeHistory(intake, at: receivedAt)
        let started = ContinuousClock.now
        let result: IngestResult
        do {
            result = try await registry.store.ingest(
                schoolID: intake.schoolID, heartbeats: intake.heartbeats, payloads: intake.payloads,
                receivedAt: receivedAt, policy: registry.policy)
        } catch is SchoolRemovedError {
            throw HeartbeatIntake.schoolRemoved(intake.schoolID)
        }
        registry.metrics.stored(result, after: ContinuousClock.now - started)
        // Issue 23: each camera's newest thumbnail, apart from the state (a replayed one is not newer).
        if !intake.thumbnails.isEmpty { try await registry.store.saveThumbnails(intake.thumbnails) }
        let challenges = try await registry.retentionProofs.afterIngest(intake, key: key, at: receivedAt)
        var receipt = HeartbeatIntake.receipt(result, receivedAt: receivedAt, challenges: challenges)
        // Issue 22: the commands pending for the school ride on the receipt too (the agent
        // deduplicates by id), for an agent whose long-poll cannot get through.
        if registry.commandWaiters.mayHavePending(school: intake.schoolID) {
            let pending = try await registry.store.pendingCommands(
                schoolID: intake.schoolID, at: receivedAt, limit: AgentCommandRoutes.answerLimit)
            receipt = CommandJSON.receipt(receipt, adding: pending)
        }
        return JSONResponse.json(receipt)
    }

    /// The body, up to the registry's limit (413 beyond it, without reading the rest).
    func collectBody(_ request: Request) async throws -> Data {
        let limit = registry.maximumBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
    }

    private var tooLarge: APIError {
        APIError(
            .contentTooLarge, code: "body_too_large",
            message: "body: larger than \(registry.maximumBodyBytes) bytes — send the outbox in smaller batches")
    }
}
