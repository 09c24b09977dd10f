import Foundation
import HTTPTypes
import Hummingbird

/// An error the API answers with: a status and a JSON body
/// `{"error": "code", "message": "where: what is wrong — what to do", "problems": [...]}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var problems: [String]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String, message: String, problems: [String] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems
        self.headers = headers
    }

    struct Body: Encodable {
        var error: String
        var message: String
        var problems: [String]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(error: code, message: message, problems: problems))
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized",
        message:
            "Authorization: no valid token — send `Authorization: Bearer <token>` (create one with `kuzet-registry token create`)",
        headers: [.wwwAuthenticate: "Bearer realm=\"kuzet-registry\""])

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, code: "forbidden", message: message) }

    static func notFound(_ what: String) -> APIError {
        APIError(
            .notFound, code: "not_found",
            message: "\(what): not found — check the id (GET /api/v1/schools lists the schools you may see)")
    }

    static func badQuery(_ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_query", message: message)
    }
}
