import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The agent's resumable upload of a clip or snapshot (tus-like, issue 22):
/// `HEAD /api/v1/agent/uploads/{command_id}` → `Upload-Offset`, and
/// `PATCH /api/v1/agent/uploads/{command_id}` with `Upload-Offset`, `Upload-Length`, `Kuzet-SHA256`
/// and up to 8 MiB of the file → 204 with the new offset; 409 (with the registry's offset) when the
/// offset is not the registry's; 413 beyond the size limit; at the end the SHA-256 is checked
/// (match: the clip is ready, the command `done`; mismatch: 422, the data discarded).
struct UploadRoutes {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.head("/api/v1/agent/uploads/{id}") { request, context in try await offset(request, context: context) }
        router.patch("/api/v1/agent/uploads/{id}") { request, context in try await patch(request, context: context) }
    }

    /// The command being uploaded, the evidence store, or the refusal.
    private func target(_ context: RegistryRequestContext) async throws -> (PoliceCommand, EvidenceStore) {
        let schoolID = try context.agentSchool()
        let id = context.parameters.get("id") ?? ""
        guard PoliceCommand.isValidID(id), let command = try await registry.store.command(id: id),
            command.schoolID == schoolID
        else { throw APIError.notFound("command \(id.prefix(64))") }
        guard command.bringsEvidence else {
            throw APIError(
                .conflict, code: "no_upload", message: "command \(id): live brings no file — nothing to upload")
        }
        guard let store = registry.evidence else {
            throw APIError(
                .serviceUnavailable, code: "no_evidence_store",
                message: "uploads: this registry keeps no evidence — start it with --evidence-dir")
        }
        return (command, store)
    }

    func offset(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let (command, store) = try await target(context)
        var headers: HTTPFields = [.cacheControl: "no-store"]
        switch store.state(command) {
        case .none: headers[.uploadOffset] = "0"
        case .partial(let offset, let announcement):
            headers[.uploadOffset] = String(offset)
            headers[.uploadLength] = String(announcement.length)
            // The agent asks again after a cut link or its own restart: where it goes on from.
            registry.logger.info(
                "upload resumes: offset asked",
                metadata: [
                    "command.id": "\(command.id)", "school.id": "\(command.schoolID)", "upload.offset": "\(offset)",
                    "upload.length": "\(announcement.length)",
                ])
        case .complete(let bytes):
            headers[.uploadOffset] = String(bytes)
            headers[.uploadLength] = String(bytes)
        }
        return Response(status: .ok, headers: headers)
    }

    func patch(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let (command, store) = try await target(context)
        var entry = AuditEntry(
            at: registry.now(), actor: "school/\(command.schoolID)", action: "upload.chunk",
            schoolID: command.schoolID, commandID: command.id, detail: "", outcome: "ok")
        do {
            let response = try await write(request, command: command, store: store, entry: &entry)
            if entry.action == "upload.complete" { await registry.audit(entry) }
            return response
        } catch let error as APIError {
            entry.outcome = AuditEntry.outcome(error)
            // Chunks are not audited one by one; refusals and the end are.
            await registry.audit(entry)
            throw error
        }
    }

    private func write(_ request: Request, command: PoliceCommand, store: EvidenceStore, entry: inout AuditEntry)
        async throws -> Response
    {
        let headers = request.headers
        guard headers[.contentType]?.lowercased().hasPrefix("application/offset+octet-stream") == true else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "Content-Type: send application/offset+octet-stream")
        }
        guard let offset = headers[.uploadOffset].flatMap(Int64.init), offset >= 0 else {
            throw APIError(
                .badRequest, code: "invalid_upload",
                message: "Upload-Offset: missing or not a whole number ≥ 0 — send HEAD's offset")
        }
        guard let length = headers[.uploadLength].flatMap(Int64.init), length > 0 else {
            throw APIError(
                .badRequest, code: "invalid_upload",
                message: "Upload-Length: missing or not a whole number > 0 — send the file's size")
        }
        guard let sha256 = headers[.kuzetSHA256]?.lowercased(), sha256.utf8.count == 64, sha256.allSatisfy(\.isHexDigit)
        else {
            throw APIError(
                .badRequest, code: "invalid_upload",
                message: "Kuzet-SHA256: missing or not 64 hex digits — send the whole file's SHA-256")
        }
        entry.detail = "offset \(offset) of \(length)"
        guard length <= store.maximumBytes else {
            throw APIError(
                .contentTooLarge, code: "clip_too_large",
                message:
                    "Upload-Length: \(length) bytes is over this registry's limit of \(store.maximumBytes) — ask for a shorter clip"
            )
        }
        if let declared = headers[.contentLength].flatMap(Int.init), declared > EvidenceStore.maximumChunkBytes {
            throw APIError(
                .contentTooLarge, code: "chunk_too_large",
                message: "body: \(declared) bytes — send at most \(EvidenceStore.maximumChunkBytes) per PATCH")
        }
        if command.state == .failed || command.state == .refused {
            throw APIError(
                .conflict, code: "command_final",
                message: "command \(command.id): \(command.state.rawValue) — no upload is taken")
        }
        let current = store.state(command)
        var announcing: EvidenceStore.Announcement?
        let announcement = EvidenceStore.Announcement(length: length, sha256: sha256)
        switch current {
        case .complete(let bytes):
            throw conflict(bytes, "upload \(command.id): complete already — nothing more to send")
        case .none:
            guard offset == 0 else { throw conflict(0, "Upload-Offset: \(offset), the registry has 0 — send from 0") }
            announcing = announcement
        case .partial(let stored, let announced):
            if announced != announcement {
                // Another file than the one begun: only from the start, and then it replaces it.
                guard offset == 0 else {
                    throw conflict(
                        stored,
                        "upload \(command.id): Upload-Length or Kuzet-SHA256 differ from the upload begun — send from 0 to start again"
                    )
                }
                announcing = announcement
            } else if offset != stored {
                throw conflict(stored, "Upload-Offset: \(offset), the registry has \(stored) — send from \(stored)")
            }
        }
        guard store.beginWriting(command.id) else {
            throw APIError(
                .conflict, code: "upload_busy",
                message:
                    "upload \(command.id): another request is writing it (or too many uploads run) — HEAD, then send from its offset",
                headers: [.retryAfter: "5"])
        }
        defer { store.endWriting(command.id) }
        let chunk: ByteBuffer
        do {
            chunk = try await request.body.collect(upTo: EvidenceStore.maximumChunkBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(
                .contentTooLarge, code: "chunk_too_large",
                message: "body: over \(EvidenceStore.maximumChunkBytes) bytes — send at most that per PATCH")
        }
        guard offset + Int64(chunk.readableBytes) <= length else {
            throw APIError(
                .badRequest, code: "invalid_upload",
                message:
                    "body: runs past Upload-Length (\(offset) + \(chunk.readableBytes) > \(length)) — send the rest only"
            )
        }
        let newOffset = try await store.append(
            Data(chunk.readableBytesView), to: command, at: offset, announcing: announcing)
        var fields: HTTPFields = [.uploadOffset: String(newOffset)]
        guard newOffset == length else { return Response(status: .noContent, headers: fields) }
        entry.action = "upload.complete"
        entry.detail = "\(length) bytes, sha256 \(sha256)"
        let actual = try await store.checksum(command)
        guard actual == sha256 else {
            await store.discard(command)
            throw APIError(
                .unprocessableContent, code: "checksum_mismatch",
                message:
                    "Kuzet-SHA256: the \(length) bytes received hash to \(actual) — discarded; upload again from 0",
                headers: [.uploadOffset: "0"])
        }
        let facts = PoliceCommand.Evidence(sha256: sha256, bytes: length, receivedAt: registry.now())
        try await store.complete(command, facts: facts)
        _ = try await registry.store.updateCommand(
            id: command.id, state: .done, message: nil, bytes: length, evidence: facts, at: facts.receivedAt)
        registry.logger.info(
            "evidence received",
            metadata: [
                "command.id": "\(command.id)", "school.id": "\(command.schoolID)", "evidence.bytes": "\(length)",
            ])
        fields[.uploadLength] = String(length)
        return Response(status: .noContent, headers: fields)
    }

    private func conflict(_ offset: Int64, _ message: String) -> APIError {
        APIError(.conflict, code: "offset_conflict", message: message, headers: [.uploadOffset: String(offset)])
    }
}
