import Foundation
import HTTPTypes
import Hummingbird
import KuzetProtocol
import Logging

/// `POST /api/v1/heartbeats`: a school's agent reports (one heartbeat or a batch from its outbox).
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
        guard let principal = context.principal, !context.viaCookie else { throw APIError.unauthorized }
        guard principal.role == .school, let schoolID = principal.schoolID else {
            throw APIError.forbidden("token: only a school token may send heartbeats — use the token `kuzet-registry token create --role school` printed")
        }
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "Content-Type: \(type.prefix(80)) — send application/json")
        }
        let body = try await collectBody(request)
        let (heartbeats, isBatch) = try HeartbeatPayload.decode(body)
        if let other = heartbeats.first(where: { $0.schoolID != schoolID }) {
            throw APIError.forbidden(
                "school_id: this token writes for \(schoolID), not \(other.schoolID.prefix(64)) — use that school's own token")
        }
        let problems = HeartbeatValidation.problems(heartbeats, batch: isBatch)
        if !problems.isEmpty {
            throw APIError(.unprocessableContent, code: "invalid_heartbeat", message: problems[0], problems: Array(problems.prefix(50)))
        }
        let payloads = try HeartbeatSlices.slices(of: body, isBatch: isBatch, count: heartbeats.count)
            ?? heartbeats.map { try StoredJSON.encode($0) }
        let receivedAt = registry.now()
        let started = ContinuousClock.now
        let result: IngestResult
        do {
            result = try await registry.store.ingest(
                schoolID: schoolID, heartbeats: heartbeats, payloads: payloads, receivedAt: receivedAt, policy: registry.policy)
        } catch is SchoolRemovedError {
            // The token was recognised a moment ago (instances remember tokens for a minute), but
            // the school and its tokens have been removed since.
            throw APIError(
                .unauthorized, code: "school_removed",
                message: "school_id: \(schoolID) was removed from this registry, with its tokens — ask the registry's operator for a new token",
                headers: [.wwwAuthenticate: "Bearer realm=\"kuzet-registry\", error=\"invalid_token\""])
        }
        registry.metrics.stored(result, after: ContinuousClock.now - started)
        let receipt = HeartbeatReceipt(
            accepted: result.accepted, duplicates: result.duplicates, highestSequence: result.highestSequence, serverTime: receivedAt)
        return JSONResponse.json(receipt.registryJSON)
    }

    /// The body, up to the registry's limit (413 beyond it, without reading the rest).
    func collectBody(_ request: Request) async throws -> Data {
        let limit = registry.maximumBodyBytes
        let tooLarge = APIError(
            .contentTooLarge, code: "body_too_large",
            message: "body: larger than \(limit) bytes — send the outbox in smaller batches")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
    }
}
