import Foundation
import HTTPTypes
import Hummingbird
import KuzetProtocol

/// `POST /api/v1/schools/{id}/challenges` (admin): plants a retention challenge now, for tests and
/// inspections. Body (all optional): `{"camera","day":"YYYY-MM-DD","segment_index","chunk_nonce"}`;
/// what is left out is chosen at random among the day roots held. The agent gets it in its next
/// receipt; the answer counts like any other (`RetentionProofs`).
struct ChallengeRoutes {
    let registry: Registry

    struct Plant: Decodable {
        var camera: String?
        var day: String?
        var segment_index: Int?
        var chunk_nonce: UInt32?
    }

    func add(to router: Router<RegistryRequestContext>) {
        router.post("/api/v1/schools/{id}/challenges") { request, context in
            try await plant(request, context: context)
        }
    }

    func plant(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        guard principal.role == .admin else {
            throw APIError.forbidden("token: only an admin token may plant a challenge — use one")
        }
        let id = context.parameters.get("id") ?? ""
        guard let store = registry.retentionProofs.store,
            (try await registry.visibleSchool(id: id, for: principal)) != nil
        else { throw APIError.notFound("school \(id.prefix(64))") }
        let body = try await request.body.collect(upTo: 4096)
        let asked: Plant
        do {
            asked =
                body.readableBytes == 0
                ? Plant() : try JSONDecoder().decode(Plant.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError(
                .badRequest, code: "invalid_json",
                message:
                    "body: not {\"camera\",\"day\",\"segment_index\",\"chunk_nonce\"} (all optional) — send JSON or nothing"
            )
        }
        let now = registry.now()
        var day: UTCDay?
        if let text = asked.day {
            guard let parsed = UTCDay(parsing: text) else {
                throw APIError(.unprocessableContent, code: "invalid_challenge", message: "day: use YYYY-MM-DD (UTC)")
            }
            day = parsed
        }
        let roots = try await store.dayRoots(
            schoolID: id, from: UTCDay(number: UTCDay(now).number - RetentionProofs.lookBackDays),
            before: UTCDay(number: UTCDay(now).number + 1)
        ).filter { (asked.camera == nil || $0.camera == asked.camera) && (day == nil || $0.day == day) }
        guard let root = roots.randomElement() else {
            throw APIError(
                .unprocessableContent, code: "no_day_root",
                message:
                    "camera/day: no signed day root held for them — challenges ask only for days the agent signed (see retention_proof in GET /api/v1/schools/\(id))"
            )
        }
        let segment = asked.segment_index ?? Int.random(in: 0..<root.segments)
        guard (0..<root.segments).contains(segment) else {
            throw APIError(
                .unprocessableContent, code: "invalid_challenge",
                message: "segment_index: the day holds \(root.segments) segments — use 0…\(root.segments - 1)")
        }
        let challenge = registry.retentionProofs.challenge(
            schoolID: id, camera: root.camera, day: root.day, segment: segment,
            nonce: asked.chunk_nonce ?? UInt32.random(in: .min ... .max), at: now)
        try await store.insertChallenge(challenge)
        return try JSONResponse.make(challenge.wire, status: .created)
    }
}
