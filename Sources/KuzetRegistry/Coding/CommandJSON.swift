import Foundation

/// Commands on the wire (issue 22): what the agent is given (`AgentCommand`) and what police see
/// (`PoliceView`, the agent's fields and the state, the evidence).
enum CommandJSON {
    /// `{"id","kind","camera","stream"?,"duration_seconds"?,"from"?,"to"?,"issued_at","expires_at","issued_by"}`.
    struct AgentCommand: Encodable, Equatable {
        var id: String
        var kind: String
        var camera: String
        var stream: String?
        var duration_seconds: Int?
        var from: Date?
        var to: Date?
        var issued_at: Date
        var expires_at: Date
        var issued_by: String

        init(_ command: PoliceCommand) {
            id = command.id
            kind = command.kind.rawValue
            camera = command.camera
            stream = command.stream?.rawValue
            duration_seconds = command.durationSeconds
            from = command.from
            to = command.to
            issued_at = command.issuedAt
            expires_at = command.expiresAt
            issued_by = command.issuedBy
        }
    }

    /// The agent's long-poll answer: `{"commands":[…]}`.
    struct AgentCommands: Encodable {
        var commands: [AgentCommand]
    }

    struct Evidence: Encodable {
        var sha256: String
        var bytes: Int64
        var received_at: Date
        /// Where to fetch it: `GET /api/v1/commands/{id}/result` (`/api/v1/clips/{id}` is the same).
        var url: String
    }

    /// A command as police read it: the agent's fields, the school, the state and the evidence.
    struct PoliceView: Encodable {
        var id: String
        var school_id: String
        var kind: String
        /// The contract's name for `kind`.
        var type: String
        var camera: String
        var stream: String?
        var duration_seconds: Int?
        var from: Date?
        var to: Date?
        var issued_at: Date
        var expires_at: Date
        var issued_by: String
        var state: String
        /// The contract's coarse state: queued, running, done, failed or expired.
        var status: String
        var message: String?
        var bytes: Int64?
        var updated_at: Date
        var evidence: Evidence?

        init(_ command: PoliceCommand, now: Date) {
            id = command.id
            school_id = command.schoolID
            kind = command.kind.rawValue
            type = command.kind.rawValue
            camera = command.camera
            stream = command.stream?.rawValue
            duration_seconds = command.durationSeconds
            from = command.from
            to = command.to
            issued_at = command.issuedAt
            expires_at = command.expiresAt
            issued_by = command.issuedBy
            state = command.state(at: now).rawValue
            status = command.state(at: now).status
            message = command.message
            bytes = command.bytes
            updated_at = command.updatedAt
            evidence = command.evidence.map {
                Evidence(
                    sha256: $0.sha256, bytes: $0.bytes, received_at: $0.receivedAt,
                    url: "/api/v1/commands/\(command.id)/result")
            }
        }
    }

    struct PoliceList: Encodable {
        var commands: [PoliceView]
    }

    struct Audit: Encodable {
        struct Entry: Encodable {
            var at: Date
            var actor: String
            var action: String
            var school_id: String?
            var command_id: String?
            var detail: String
            var outcome: String
        }
        var entries: [Entry]
        /// `since` for the next page (the last entry's time) when the page was full.
        var next_since: Date?
    }

    /// The commands as the heartbeat receipt carries them (`,"commands":[…]` spliced before its
    /// closing brace): the same pending commands as the long-poll, the agent deduplicates by id.
    static func receipt(_ receipt: String, adding commands: [PoliceCommand]) -> String {
        guard !commands.isEmpty, receipt.hasSuffix("}"),
            let data = try? RegistryJSON.encoder.encode(commands.map(AgentCommand.init))
        else { return receipt }
        return String(receipt.dropLast()) + ",\"commands\":" + String(decoding: data, as: UTF8.self) + "}"
    }
}
