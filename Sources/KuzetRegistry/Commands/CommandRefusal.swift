import HTTPTypes

/// A refused command request: the answer's status and problems, and what the audit log records.
struct CommandRefusal: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var code: String
    var problems: [String]

    init(_ status: HTTPResponse.Status, code: String, problems: [String]) {
        self.status = status
        self.code = code
        self.problems = problems
    }

    var apiError: APIError {
        APIError(status, code: code, message: problems.first ?? code, problems: problems)
    }
}
