import Foundation
import KuzetCore

/// What `GET /api/v1/status` answers and `kuzet-agent status` prints: the agent's state in one
/// document, with problems in words. Never carries a credential or a camera URL.
public struct StatusReport: Codable, Sendable, Equatable {
    public typealias School = SchoolIdentity

    public struct Camera: Codable, Sendable, Equatable {
        /// `live`, `connecting`, `offline` (upstream failing), `disabled`, or `idle` (`record: false`,
        /// nobody watching: the upstream opens on demand).
        public var id: String
        public var state: String
        public var codec: String?
        public var width: Int?
        public var height: Int?
        public var framesPerSecond: Double?
        public var bitrateKbps: Double?
        /// Seconds since the last packet from the camera; nil when none yet.
        public var lastFrameAgeSeconds: Double?
        /// `recording`, `waiting` or `off`.
        public var recording: String
        /// `live`, `waiting` or `off`.
        public var push: String
        public var relayClients: Int
        public var relayDroppedPackets: Int
        /// The oldest and newest segment start on disk, and how many segments there are.
        public var oldestSegment: Date?
        public var newestSegment: Date?
        public var segments: Int
        /// Days of footage on disk (from the oldest segment to now).
        public var daysKept: Double?
        public var hasSnapshot: Bool
        public var problems: [String]
        /// `problems` as codes, for the page's languages (absent from older agents).
        public var problemDetails: [StatusProblem]?
        /// Picture health (issue 23); absent when `health.interval_seconds` is 0 and from older agents.
        public var health: StatusCameraHealth?

        public init(id: String, state: String) {
            self.id = id
            self.state = state
            recording = "off"
            push = "off"
            relayClients = 0
            relayDroppedPackets = 0
            segments = 0
            hasSnapshot = false
            problems = []
        }
    }

    public struct Disk: Codable, Sendable, Equatable {
        public var root: String
        public var totalBytes: Int64
        public var freeBytes: Int64
        public var freePercent: Double
        public var retentionDays: Int
        public var minFreePercent: Double
        public init(
            root: String, totalBytes: Int64, freeBytes: Int64, freePercent: Double, retentionDays: Int,
            minFreePercent: Double
        ) {
            self.root = root
            self.totalBytes = totalBytes
            self.freeBytes = freeBytes
            self.freePercent = freePercent
            self.retentionDays = retentionDays
            self.minFreePercent = minFreePercent
        }
    }

    public struct Uplink: Codable, Sendable, Equatable {
        /// `ok`, `failing`, `off`.
        public var state: String
        public var lastDeliveredAt: Date?
        public var outboxPending: Int
        /// Issue 22: the centre budget in use (nil without a registry).
        public var centre: CentreUse?
        public init(state: String, lastDeliveredAt: Date? = nil, outboxPending: Int) {
            self.state = state
            self.lastDeliveredAt = lastDeliveredAt
            self.outboxPending = outboxPending
        }
    }

    public struct Relay: Codable, Sendable, Equatable {
        public var listen: String
        public var clients: Int
        public var authentication: Bool
        public init(listen: String, clients: Int, authentication: Bool) {
            self.listen = listen
            self.clients = clients
            self.authentication = authentication
        }
    }

    public var school: School
    public var generatedAt: Date
    public var uptimeSeconds: Double
    public var cameras: [Camera]
    public var disk: Disk?
    public var uplink: Uplink
    public var relay: Relay?
    /// Problems of the box as a whole (disk, uplink), in words.
    public var problems: [String]
    /// `problems` as codes, for the page's languages (absent from older agents).
    public var problemDetails: [StatusProblem]?

    public init(
        school: School, generatedAt: Date, uptimeSeconds: Double, cameras: [Camera], disk: Disk? = nil, uplink: Uplink,
        relay: Relay? = nil, problems: [String]
    ) {
        self.school = school
        self.generatedAt = generatedAt
        self.uptimeSeconds = uptimeSeconds
        self.cameras = cameras
        self.disk = disk
        self.uplink = uplink
        self.relay = relay
        self.problems = problems
    }

    /// The agent is healthy when no camera and nothing else has a problem.
    public var isHealthy: Bool { problems.isEmpty && cameras.allSatisfy { $0.problems.isEmpty } }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}
