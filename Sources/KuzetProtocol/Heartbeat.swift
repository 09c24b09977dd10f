import Foundation

/// The agent → registry wire contract. JSON, snake_case keys, ISO 8601 dates (UTC).
/// `version` is bumped on an incompatible change; the registry refuses versions it does not know.
public enum WireVersion {
    public static let current = 1
}

/// What `POST /api/v1/heartbeats` takes: one or more heartbeats of one school, oldest first.
/// A single heartbeat object (not wrapped in a batch) is accepted as well.
public struct HeartbeatBatch: Codable, Sendable, Equatable {
    public var version: Int
    public var heartbeats: [Heartbeat]
    public init(version: Int = WireVersion.current, heartbeats: [Heartbeat]) {
        self.version = version
        self.heartbeats = heartbeats
    }
}

/// The registry's answer to a batch.
public struct HeartbeatReceipt: Codable, Sendable, Equatable {
    /// Heartbeats stored by this request.
    public var accepted: Int
    /// Heartbeats already known (same school and sequence): not counted twice.
    public var duplicates: Int
    /// The highest sequence the registry holds for this school.
    public var highestSequence: UInt64
    /// The registry's clock, so an agent can tell how far off its own is.
    public var serverTime: Date
    /// Issue 22: police commands pending for this school (the fallback of the command channel;
    /// the agent runs each id once).
    public var commands: [AgentCommand]?
    // Issue 21 (provable retention): chunks of committed segments the agent is asked to prove.
    public var challenges: [RetentionChallenge]?
    public init(
        accepted: Int, duplicates: Int, highestSequence: UInt64, serverTime: Date, commands: [AgentCommand]? = nil,
        challenges: [RetentionChallenge]? = nil
    ) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.highestSequence = highestSequence
        self.serverTime = serverTime
        self.commands = commands
        self.challenges = challenges
    }

    enum CodingKeys: String, CodingKey {
        case accepted, duplicates, commands, challenges
        case highestSequence = "highest_sequence"
        case serverTime = "server_time"
    }
}

public struct Heartbeat: Codable, Sendable, Equatable {
    public var version: Int
    public var schoolID: String
    /// Increases by one for every heartbeat a school's agent produces; survives restarts.
    /// (school, sequence) identifies a heartbeat: the registry stores each once.
    public var sequence: UInt64
    /// The agent's clock when the heartbeat was produced.
    public var sentAt: Date
    public var agentVersion: String
    /// Lower-case hex SHA-256 of the agent's configuration with its secrets removed: schools whose
    /// agents run the same settings have the same one (the registry's fleet view). Optional: older
    /// agents do not send it.
    public var configFingerprint: String?
    public var uptimeSeconds: Double
    public var intervalSeconds: Int
    public var school: SchoolInfo?
    public var cameras: [CameraReport]
    public var storage: StorageReport
    public var centre: CentreReport?
    /// State changes since the previous heartbeat (camera offline, shortfall, disk pressure…).
    public var events: [AgentEvent]
    // Issue 21 (provable retention): the box's Ed25519 public key (base64 of 32 raw bytes), its
    // signed roots of closed UTC days not yet sent (at most 64), answers to the registry's challenges.
    public var deviceKey: String?
    public var dayRoots: [DayRootReport]?
    public var challengeAnswers: [ChallengeAnswer]?
    /// Whether the agent trusts its wall clock (issue 26). Optional: older agents do not send it.
    public var clock: ClockReport?

    public init(
        version: Int = WireVersion.current, schoolID: String, sequence: UInt64, sentAt: Date, agentVersion: String,
        uptimeSeconds: Double, intervalSeconds: Int, school: SchoolInfo? = nil, cameras: [CameraReport],
        storage: StorageReport, centre: CentreReport? = nil, events: [AgentEvent] = [],
        configFingerprint: String? = nil,
        clock: ClockReport? = nil
    ) {
        self.version = version
        self.configFingerprint = configFingerprint
        self.schoolID = schoolID
        self.sequence = sequence
        self.sentAt = sentAt
        self.agentVersion = agentVersion
        self.uptimeSeconds = uptimeSeconds
        self.intervalSeconds = intervalSeconds
        self.school = school
        self.cameras = cameras
        self.storage = storage
        self.centre = centre
        self.events = events
        self.clock = clock
    }

    enum CodingKeys: String, CodingKey {
        case version, sequence, school, cameras, storage, centre, events, clock
        case schoolID = "school_id"
        case sentAt = "sent_at"
        case agentVersion = "agent_version"
        case configFingerprint = "config_fingerprint"
        case deviceKey = "device_key"
        case dayRoots = "day_roots"
        case challengeAnswers = "challenge_answers"
        case uptimeSeconds = "uptime_seconds"
        case intervalSeconds = "interval_seconds"
    }
}

public struct SchoolInfo: Codable, Sendable, Equatable {
    public var name: String?
    public var region: String?
    public init(name: String? = nil, region: String? = nil) {
        self.name = name
        self.region = region
    }
}

public struct CameraReport: Codable, Sendable, Equatable {
    public enum RecordingState: String, Codable, Sendable {
        case recording
        case notRecording = "not_recording"
        case disabled
    }
    public enum DeliveryState: String, Codable, Sendable { case delivering, failing, disabled }

    public var id: String
    public var online: Bool
    public var codec: String?
    public var width: Int?
    public var height: Int?
    public var fps: Double?
    public var bitrateKbps: Double?
    public var lastFrameAgeSeconds: Double?
    public var recording: RecordingState
    /// Live push to the ЦОУ.
    public var push: DeliveryState
    /// Clients the ЦОУ has pulling through the relay right now.
    public var relayClients: Int
    public var retention: RetentionReport?
    // issue 22 (relay on demand)
    /// True while a camera with `record: false` has its upstream closed because nobody watches it
    /// (it opens for a relay client or an on-demand push): `online` is false, and it is not offline.
    /// Absent otherwise.
    public var idleOnDemand: Bool?
    // Issue 23 (picture health): optional, older agents send neither.
    /// What the picture shows (`CameraHealthReport`); nil when health sampling is off.
    public var health: CameraHealthReport?
    /// The camera's latest small picture; only in some heartbeats (`health.thumbnail_minutes`).
    public var thumbnail: CameraThumbnail?

    public init(
        id: String, online: Bool, codec: String? = nil, width: Int? = nil, height: Int? = nil, fps: Double? = nil,
        bitrateKbps: Double? = nil, lastFrameAgeSeconds: Double? = nil, recording: RecordingState,
        push: DeliveryState = .disabled, relayClients: Int = 0, retention: RetentionReport? = nil,
        idleOnDemand: Bool? = nil, health: CameraHealthReport? = nil, thumbnail: CameraThumbnail? = nil
    ) {
        self.health = health
        self.thumbnail = thumbnail
        self.id = id
        self.online = online
        self.codec = codec
        self.width = width
        self.height = height
        self.fps = fps
        self.bitrateKbps = bitrateKbps
        self.lastFrameAgeSeconds = lastFrameAgeSeconds
        self.recording = recording
        self.push = push
        self.relayClients = relayClients
        self.retention = retention
        self.idleOnDemand = idleOnDemand
    }

    enum CodingKeys: String, CodingKey {
        case id, online, codec, width, height, fps, recording, push, retention
        case health, thumbnail
        case bitrateKbps = "bitrate_kbps"
        case lastFrameAgeSeconds = "last_frame_age_seconds"
        case relayClients = "relay_clients"
        case idleOnDemand = "idle_on_demand" // issue 22
    }
}

/// Retention facts of one camera.
public struct RetentionReport: Codable, Sendable, Equatable {
    public var oldestFootage: Date?
    /// Days from the oldest retained footage to now.
    public var achievedDays: Double
    /// Intervals inside the retention window with no footage.
    public var gaps: [TimeRange]
    public var bytesUsed: Int64
    /// Set while the disk forced deleting footage younger than the legal minimum.
    public var shortfallSince: Date?
    /// The rate the camera's footage is written at, measured from its recordings (kbit/s).
    public var recordedKbps: Double?

    public init(
        oldestFootage: Date?, achievedDays: Double, gaps: [TimeRange] = [], bytesUsed: Int64,
        shortfallSince: Date? = nil,
        recordedKbps: Double? = nil
    ) {
        self.recordedKbps = recordedKbps
        self.oldestFootage = oldestFootage
        self.achievedDays = achievedDays
        self.gaps = gaps
        self.bytesUsed = bytesUsed
        self.shortfallSince = shortfallSince
    }

    enum CodingKeys: String, CodingKey {
        case gaps
        case oldestFootage = "oldest_footage"
        case achievedDays = "achieved_days"
        case bytesUsed = "bytes_used"
        case shortfallSince = "shortfall_since"
        case recordedKbps = "recorded_kbps"
    }
}

public struct TimeRange: Codable, Sendable, Equatable {
    public var from: Date
    public var to: Date
    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }
}

public struct StorageReport: Codable, Sendable, Equatable {
    public var totalBytes: Int64
    public var freeBytes: Int64
    public var recordingsBytes: Int64
    /// Days of footage the disk holds at the measured write rate.
    public var projectedDays: Double?
    public var writeRateKbps: Double?
    /// Free space is below `retention.min_free_percent`: footage younger than the minimum is going.
    public var diskPressure: Bool
    public var retentionDays: Int
    /// When the retention service last swept, and what it deleted (expired plus disk pressure).
    public var lastSweepAt: Date?
    public var lastSweepDeletedFiles: Int?
    public var lastSweepDeletedBytes: Int64?

    public init(
        totalBytes: Int64, freeBytes: Int64, recordingsBytes: Int64, projectedDays: Double? = nil,
        writeRateKbps: Double? = nil, diskPressure: Bool = false, retentionDays: Int = 30,
        lastSweepAt: Date? = nil, lastSweepDeletedFiles: Int? = nil, lastSweepDeletedBytes: Int64? = nil
    ) {
        self.lastSweepAt = lastSweepAt
        self.lastSweepDeletedFiles = lastSweepDeletedFiles
        self.lastSweepDeletedBytes = lastSweepDeletedBytes
        self.totalBytes = totalBytes
        self.freeBytes = freeBytes
        self.recordingsBytes = recordingsBytes
        self.projectedDays = projectedDays
        self.writeRateKbps = writeRateKbps
        self.diskPressure = diskPressure
        self.retentionDays = retentionDays
    }

    enum CodingKeys: String, CodingKey {
        case totalBytes = "total_bytes"
        case freeBytes = "free_bytes"
        case recordingsBytes = "recordings_bytes"
        case projectedDays = "projected_days"
        case writeRateKbps = "write_rate_kbps"
        case diskPressure = "disk_pressure"
        case retentionDays = "retention_days"
        case lastSweepAt = "last_sweep_at"
        case lastSweepDeletedFiles = "last_sweep_deleted_files"
        case lastSweepDeletedBytes = "last_sweep_deleted_bytes"
    }
}

public struct CentreReport: Codable, Sendable, Equatable {
    public var maxKbps: Int
    /// What the pushes to the ЦОУ actually achieved over the last interval.
    public var achievedKbps: Double
    /// Issue 22: what on-demand live pushes (police `live` commands) achieved, last 5 s average.
    public var liveKbps: Double?
    /// Issue 22: what clip and snapshot uploads to the registry achieved, last 5 s average.
    public var uploadKbps: Double?
    /// Issue 22: on-demand live pushes running now.
    public var liveSessions: Int?
    public init(
        maxKbps: Int, achievedKbps: Double, liveKbps: Double? = nil, uploadKbps: Double? = nil,
        liveSessions: Int? = nil
    ) {
        self.maxKbps = maxKbps
        self.achievedKbps = achievedKbps
        self.liveKbps = liveKbps
        self.uploadKbps = uploadKbps
        self.liveSessions = liveSessions
    }

    enum CodingKeys: String, CodingKey {
        case maxKbps = "max_kbps"
        case achievedKbps = "achieved_kbps"
        case liveKbps = "live_kbps"
        case uploadKbps = "upload_kbps"
        case liveSessions = "live_sessions"
    }
}

public struct AgentEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case agentStarted = "agent_started"
        case cameraOnline = "camera_online"
        case cameraOffline = "camera_offline"
        case pushFailing = "push_failing"
        case pushRestored = "push_restored"
        case retentionShortfall = "retention_shortfall"
        case diskPressure = "disk_pressure"
        case diskPressureCleared = "disk_pressure_cleared"
        /// The wall clock stepped against the monotonic clock (issue 26).
        case clockStep = "clock_step"
        // Issue 23: a camera's picture health flagged (message names the reasons) or cleared.
        case pictureFlagged = "picture_flagged"
        case pictureCleared = "picture_cleared"
    }
    public var at: Date
    public var kind: Kind
    public var camera: String?
    public var message: String
    public init(at: Date, kind: Kind, camera: String? = nil, message: String) {
        self.at = at
        self.kind = kind
        self.camera = camera
        self.message = message
    }
}

// Issue 26 (trusted clock): the heartbeat's `clock` object.
/// The agent's view of its own wall clock: whether footage dated by it can be trusted.
public struct ClockReport: Codable, Sendable, Equatable {
    /// The clock is trusted: NTP-synchronised, or the registry's time agreed, and no step since.
    /// While false the agent deletes nothing by age.
    public var trusted: Bool
    /// The kernel reports the clock synchronised by NTP (chrony, ntpd, systemd-timesyncd).
    public var synchronised: Bool
    /// The agent's clock minus the registry's, at the last answer; nil before one.
    public var offsetSeconds: Double?
    /// The last step of the wall clock seen while running (agent's clock after it), and its size
    /// (positive: forward).
    public var lastStepAt: Date?
    public var lastStepSeconds: Double?
    /// Segments on disk named while the clock was untrusted (kept; never deleted by age).
    public var untrustedSegments: Int

    public init(
        trusted: Bool, synchronised: Bool, offsetSeconds: Double? = nil, lastStepAt: Date? = nil,
        lastStepSeconds: Double? = nil, untrustedSegments: Int = 0
    ) {
        self.trusted = trusted
        self.synchronised = synchronised
        self.offsetSeconds = offsetSeconds
        self.lastStepAt = lastStepAt
        self.lastStepSeconds = lastStepSeconds
        self.untrustedSegments = untrustedSegments
    }

    enum CodingKeys: String, CodingKey {
        case trusted, synchronised
        case offsetSeconds = "offset_seconds"
        case lastStepAt = "last_step_at"
        case lastStepSeconds = "last_step_seconds"
        case untrustedSegments = "untrusted_segments"
    }
}

extension JSONEncoder {
    /// The encoder both sides use for the wire types.
    public static var kuzetWire: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension JSONDecoder {
    /// The decoder both sides use for the wire types (ISO 8601 with or without fractional seconds).
    public static var kuzetWire: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = WireDate.parse(text) { return date }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not an ISO 8601 date-time")
        }
        return decoder
    }
}

public enum WireDate {
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
