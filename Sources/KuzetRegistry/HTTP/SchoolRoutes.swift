import Foundation
import HTTPTypes
import Hummingbird
import KuzetCore

/// `GET /api/v1/schools` and `GET /api/v1/schools/{id}`: police and ministry read.
struct SchoolRoutes {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/api/v1/schools") { request, context in try await list(request, context: context) }
        router.get("/api/v1/schools/{id}") { request, context in try await detail(request, context: context) }
        router.get("/api/v1/schools/{id}/cameras/{camera}/thumbnail") { request, context in
            try await thumbnail(request, context: context)
        }
    }

    /// Issue 23: the camera's latest thumbnail (image/jpeg), to a role that may see the school;
    /// 404 when the school is not visible to it, or no thumbnail is kept.
    func thumbnail(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        let id = context.parameters.get("id") ?? ""
        let camera = context.parameters.get("camera") ?? ""
        guard let record = try await registry.visibleSchool(id: id, for: principal) else {
            throw APIError.notFound("school \(id.prefix(64))")
        }
        guard CameraID.isValid(camera),
            let thumbnail = try await registry.store.thumbnail(schoolID: record.id, cameraID: camera)
        else { throw APIError.notFound("thumbnail of camera \(camera.prefix(64)) at school \(record.id)") }
        return Response(
            status: .ok,
            headers: [
                .contentType: "image/jpeg", .cacheControl: "private, no-store",
                .lastModified: HTTPDate.format(Int(thumbnail.takenAt.timeIntervalSince1970)),
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: thumbnail.jpeg)))
    }

    func list(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        let query = try SchoolQuery(parameters: request.uri.queryParameters, principal: principal)
        let now = registry.now()
        guard let query else {
            return try JSONResponse.make(APIResponses.SchoolList(total: 0, limit: 0, offset: 0, schools: []))
        }
        let page = try await registry.store.schools(query, at: now, policy: registry.policy)
        let next = query.offset + page.schools.count < page.total ? query.offset + page.schools.count : nil
        return try JSONResponse.make(
            APIResponses.SchoolList(
                total: page.total, limit: query.limit, offset: query.offset, next_offset: next,
                schools: page.schools.map { APIResponses.SchoolSummary($0, now: now, policy: registry.policy) }))
    }

    func detail(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        let id = context.parameters.get("id") ?? ""
        guard let record = try await registry.visibleSchool(id: id, for: principal) else {
            throw APIError.notFound("school \(id.prefix(64))")
        }
        let history = try await registry.store.history(schoolID: record.id, limit: registry.historyLimit)
        let now = registry.now()
        let state = record.state
        return try JSONResponse.make(
            APIResponses.SchoolDetail(
                school: .init(record, now: now, policy: registry.policy), agent_version: state?.agentVersion,
                interval_seconds: state?.intervalSeconds, clock_skew_seconds: state?.clockSkewSeconds,
                last_sent_at: state?.lastSentAt,
                storage: state.map { .init($0.storage) }, cameras: (state?.cameras ?? []).map(APIResponses.Camera.init),
                history: history.map(APIResponses.History.init),
                retention_proof: try await registry.retentionProofSummary(schoolID: record.id)))
    }
}

extension Registry {
    /// The school if it exists and `principal` may see it (a region-limited viewer sees its region only).
    func visibleSchool(id: String, for principal: Principal) async throws -> SchoolRecord? {
        guard SchoolIdentifier.isValid(id), let record = try await store.school(id: id) else { return nil }
        if let region = principal.readableRegion, (record.region ?? UnknownRegion.name) != region { return nil }
        return record
    }
}

extension SchoolQuery {
    /// The query from `?region=&flag=&limit=&offset=`, narrowed to the principal's region.
    /// Nil when the principal asked for a region it cannot see (an empty page, not an error).
    init?(parameters: Parameters, principal: Principal) throws {
        self.init()
        for (key, _) in parameters where !["region", "flag", "limit", "offset", "token"].contains(String(key)) {
            throw APIError.badQuery(
                "\(String(key).prefix(40)): unknown query parameter — use region, flag, limit or offset")
        }
        if let region = parameters.get("region") {
            guard !region.isEmpty, region.count <= 100 else {
                throw APIError.badQuery("region: must be 1–100 characters — send a region name from /api/v1/report")
            }
            self.region = region
        }
        if let text = parameters.get("flag") {
            guard let flag = SchoolFlag(rawValue: text.uppercased()) else {
                throw APIError.badQuery(
                    "flag: \"\(text.prefix(40))\" is not a flag — use one of \(SchoolFlag.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            self.flag = flag
        }
        if let text = parameters.get("limit") {
            guard let limit = Int(text), (1...Self.maximumLimit).contains(limit) else {
                throw APIError.badQuery("limit: \"\(text.prefix(20))\" — send a whole number 1…\(Self.maximumLimit)")
            }
            self.limit = limit
        }
        if let text = parameters.get("offset") {
            guard let offset = Int(text), (0...10_000_000).contains(offset) else {
                throw APIError.badQuery("offset: \"\(text.prefix(20))\" — send a whole number 0…10000000")
            }
            self.offset = offset
        }
        if let limited = principal.readableRegion {
            if let region, region != limited { return nil }
            self.region = limited
        }
    }
}
