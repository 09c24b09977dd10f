import Foundation

/// A police command for one school's agent (issue 22): sent by the registry on the command
/// channel (`GET /api/v1/agent/commands`) and, as a fallback, in the heartbeat receipt.
///
/// The registry refuses commands beyond ``Limits``; the agent checks them again
/// (``AgentCommand/problem(now:)``) before running anything.
public struct AgentCommand: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case live, clip, snapshot }

    /// What both sides hold a command to.
    public enum Limits {
        public static let idLength = 64
        public static let liveSeconds = 3_600
        public static let clipSeconds: Double = 3_600
        public static let lifetimeSeconds: Double = 15 * 60
    }

    public var id: String
    public var kind: Kind
    public var camera: String
    /// `main` or `sub` (live only); nil: main.
    public var stream: String?
    public var durationSeconds: Int?
    public var from: Date?
    public var to: Date?
    public var issuedAt: Date
    public var expiresAt: Date
    public var issuedBy: String

    public init(
        id: String, kind: Kind, camera: String, stream: String? = nil, durationSeconds: Int? = nil, from: Date? = nil,
        to: Date? = nil, issuedAt: Date, expiresAt: Date, issuedBy: String
    ) {
        self.id = id
        self.kind = kind
        self.camera = camera
        self.stream = stream
        self.durationSeconds = durationSeconds
        self.from = from
        self.to = to
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.issuedBy = issuedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, camera, stream, from, to
        case durationSeconds = "duration_seconds"
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case issuedBy = "issued_by"
    }

    /// Whether an id can be used as a file-name-safe key and in a URL path: 1–64 of `A-Z a-z 0-9 - _ .`.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= Limits.idLength && id != "." && id != ".."
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }

    /// Why this command must not run (beyond a limit, expired), or nil when it may.
    public func problem(now: Date) -> String? {
        guard Self.isValidID(id) else { return "command id: not 1–64 letters, digits, '-', '_' or '.'" }
        guard expiresAt.timeIntervalSince(issuedAt) <= Limits.lifetimeSeconds + 1 else {
            return "expires_at: more than 15 minutes after issued_at — the registry must not issue such a command"
        }
        guard now < expiresAt else { return "expired at \(ISO8601DateFormatter().string(from: expiresAt))" }
        switch kind {
        case .live:
            guard let duration = durationSeconds, duration > 0, duration <= Limits.liveSeconds else {
                return "duration_seconds: live needs 1–\(Limits.liveSeconds) seconds"
            }
            if let stream, stream != "main", stream != "sub" { return "stream: \(stream) is not main or sub" }
        case .clip:
            guard let from, let to, to > from else { return "from/to: a clip needs from before to" }
            guard to.timeIntervalSince(from) <= Limits.clipSeconds else {
                return "from/to: a clip holds at most \(Int(Limits.clipSeconds)) seconds of footage"
            }
        case .snapshot: break
        }
        return nil
    }
}

/// `GET /api/v1/agent/commands` answers `{"commands":[…]}`.
public struct AgentCommandList: Codable, Sendable, Equatable {
    public var commands: [AgentCommand]
    public init(commands: [AgentCommand]) { self.commands = commands }
}

/// `POST /api/v1/agent/commands/{id}/status`: progress or outcome of one command.
public struct AgentCommandStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case accepted, running, done, failed, refused, expired }
    public var state: State
    public var message: String?
    public var bytes: Int?
    public init(state: State, message: String? = nil, bytes: Int? = nil) {
        self.state = state
        self.message = message
        self.bytes = bytes
    }
}
