import Foundation
import KuzetProtocol

/// What the registry knows about a school from its newest heartbeat (by sequence), with the
/// moments condition flags started. OFFLINE is not in here: it depends on the reading time.
public struct SchoolState: Codable, Sendable, Equatable {
    public var lastSequence: UInt64
    public var lastSentAt: Date
    public var intervalSeconds: Int
    public var agentVersion: String
    /// The agent's configuration fingerprint (`Heartbeat.configFingerprint`), if it sends one.
    public var configFingerprint: String? = nil
    /// Agent clock minus registry clock, measured on the newest heartbeat of a request.
    public var clockSkewSeconds: Double
    public var storage: StorageReport
    public var cameras: [CameraState]
    /// School-level condition flags (never OFFLINE).
    public var flags: [FlagMark]

    /// The lowest achieved retention among recording cameras, if any camera reports one.
    public var minimumRetentionDays: Double? {
        cameras.filter { $0.report.recording != .disabled }.compactMap { $0.report.retention?.achievedDays }.min()
    }
}

/// One camera's latest report and its flags.
public struct CameraState: Codable, Sendable, Equatable {
    public var report: CameraReport
    /// Camera-level flags: OFFLINE (camera down), NOT_RECORDING, NOT_DELIVERING, RETENTION_BELOW_MINIMUM.
    public var flags: [FlagMark]
}

/// A registered school with its current state (nil until its first heartbeat) and last contact.
public struct SchoolRecord: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var region: String?
    public var registeredAt: Date
    /// Registry clock when the school last sent anything (also a replay or a duplicate).
    public var lastContactAt: Date?
    public var state: SchoolState?
    /// Set while its heartbeats name another region than `region`.
    public var regionMismatch: RegionMismatch?
    /// Issue 21: RETENTION_UNPROVEN and DEVICE_KEY_MISMATCH, when set (`school_proof_flags`).
    public var proofFlags: [FlagMark] = []

    public init(
        id: String, name: String?, region: String?, registeredAt: Date, lastContactAt: Date?, state: SchoolState?,
        regionMismatch: RegionMismatch? = nil
    ) {
        self.id = id
        self.name = name
        self.region = region
        self.registeredAt = registeredAt
        self.lastContactAt = lastContactAt
        self.state = state
        self.regionMismatch = regionMismatch
    }
}
