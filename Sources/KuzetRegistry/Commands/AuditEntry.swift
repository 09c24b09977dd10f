import Foundation
import HTTPTypes

/// One line of the audit log (`GET /api/v1/audit`): every command attempt, refused ones too, every
/// state an agent reported, every upload that completed or failed its checksum, every clip fetched.
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    /// Who: `role/region/hash prefix` for police, `school/ID` for an agent.
    public var actor: String
    /// What: `command.create`, `command.status`, `upload.complete`, `clip.read`, …
    public var action: String
    public var schoolID: String?
    public var commandID: String?
    /// The request in a line (`live entrance main 300 s`).
    public var detail: String
    /// `ok`, or the refusal: `403 forbidden: …`.
    public var outcome: String

    public init(
        at: Date, actor: String, action: String, schoolID: String?, commandID: String?, detail: String,
        outcome: String
    ) {
        self.at = at
        self.actor = actor
        self.action = action
        self.schoolID = schoolID
        self.commandID = commandID
        self.detail = String(detail.prefix(500))
        self.outcome = String(outcome.prefix(500))
    }

    /// The audit's line for an answer: `ok` below 400, else the status and the message.
    static func outcome(_ error: APIError?) -> String {
        guard let error else { return "ok" }
        return "\(error.status.code) \(error.code): \(error.message)"
    }
}
