import Foundation

/// A command police issued to one school's agent (issue 22): live view, a clip of recorded footage,
/// or a snapshot. The agent fetches it over its own outbound link (`GET /api/v1/agent/commands`),
/// runs it once (it deduplicates by `id`) and reports its state back.
public struct PoliceCommand: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case live, clip, snapshot
    }

    public enum Stream: String, Sendable, CaseIterable, Codable {
        case main, sub
    }

    /// The last state: `pending` until the agent reports one; `done` also when a clip's upload
    /// completed with its checksum.
    public enum State: String, Sendable, CaseIterable, Codable {
        case pending, accepted, running, done, failed, refused, expired

        /// No later report changes it.
        public var isFinal: Bool { self == .done || self == .failed || self == .refused || self == .expired }

        /// The outside contract's coarse state (`GET /api/v1/commands/{id}`): pending and accepted
        /// are `queued`, refused is `failed`, the others keep their name.
        public var status: String {
            switch self {
            case .pending, .accepted: "queued"
            case .running: "running"
            case .done: "done"
            case .failed, .refused: "failed"
            case .expired: "expired"
            }
        }
    }

    /// 1–64 of `[A-Za-z0-9_-]` (the registry makes them: `cmd_` and 24 random characters).
    public var id: String
    public var schoolID: String
    public var kind: Kind
    public var camera: String
    public var stream: Stream?
    public var durationSeconds: Int?
    public var from: Date?
    public var to: Date?
    public var issuedAt: Date
    public var expiresAt: Date
    /// Who asked: role, region and the start of the token's hash (as `token list` shows it).
    public var issuedBy: String
    public var state: State
    public var message: String?
    public var bytes: Int64?
    public var updatedAt: Date
    /// The clip or snapshot once it arrived whole with a matching checksum.
    public var evidence: Evidence?

    /// A clip or snapshot in the evidence store.
    public struct Evidence: Sendable, Equatable {
        public var sha256: String
        public var bytes: Int64
        public var receivedAt: Date
        public init(sha256: String, bytes: Int64, receivedAt: Date) {
            self.sha256 = sha256
            self.bytes = bytes
            self.receivedAt = receivedAt
        }
    }

    public init(
        id: String, schoolID: String, kind: Kind, camera: String, stream: Stream? = nil, durationSeconds: Int? = nil,
        from: Date? = nil, to: Date? = nil, issuedAt: Date, expiresAt: Date, issuedBy: String,
        state: State = .pending, message: String? = nil, bytes: Int64? = nil, updatedAt: Date? = nil,
        evidence: Evidence? = nil
    ) {
        self.id = id
        self.schoolID = schoolID
        self.kind = kind
        self.camera = camera
        self.stream = stream
        self.durationSeconds = durationSeconds
        self.from = from
        self.to = to
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.issuedBy = issuedBy
        self.state = state
        self.message = message
        self.bytes = bytes
        self.updatedAt = updatedAt ?? issuedAt
        self.evidence = evidence
    }

    /// The state as police see it at `now`: a command still pending after its expiry is `expired`
    /// (the agent is never given it).
    public func state(at now: Date) -> State { state == .pending && now >= expiresAt ? .expired : state }

    /// Whether the agent is to be given it at `now`.
    public func isPending(at now: Date) -> Bool { state == .pending && now < expiresAt }

    /// Clips and snapshots bring a file; live does not.
    public var bringsEvidence: Bool { kind != .live }

    /// The evidence file's extension: MP4 for a clip (the agent's export), JPEG for a snapshot.
    public var evidenceExtension: String { Self.evidenceExtension(kind) }
    /// The evidence file's extension for a command of `kind` (the one list: the store and its pruning).
    public static func evidenceExtension(_ kind: Kind) -> String { kind == .snapshot ? "jpg" : "mp4" }

    /// Whether `text` may be a command id (the agent's paths carry it).
    public static func isValidID(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x5f || byte == 0x2d
            }
    }

    /// A new id: `cmd_` and 24 random characters of `[a-z0-9]` (about 124 bits).
    public static func newID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return "cmd_" + String((0..<24).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
