import Foundation
import KuzetCore

/// What retention can prove about one camera's footage.
public struct CameraRetentionFacts: Sendable, Equatable {
    public var camera: String
    /// The start of the oldest footage kept.
    public var oldestFootage: Date?
    /// The end of the newest closed segment.
    public var newestFootage: Date?
    /// Days from the oldest footage kept to now.
    public var achievedDays: Double
    /// Intervals inside the last `retention.days` with no footage (see ``RetentionGaps``).
    public var gaps: [DateInterval]
    public var bytes: Int64
    public var segments: Int
    /// Rate the camera is recorded at: bytes of its last hour of footage over that footage's length.
    public var recordedKbps: Double?
    /// A segment of this camera is being written now.
    public var isRecording: Bool
    /// Set while the disk forced deleting this camera's footage younger than `retention.days`.
    public var shortfall: RetentionShortfall?
}

/// A camera kept less than `retention.days` because the disk was full: which camera, since when,
/// and the retention achieved when footage was last deleted early.
public struct RetentionShortfall: Sendable, Equatable, Codable {
    public var camera: String
    public var since: Date
    public var achievedDays: Double
    public var lastForcedDeletion: Date

    enum CodingKeys: String, CodingKey {
        case camera, since
        case achievedDays = "achieved_days"
        case lastForcedDeletion = "last_forced_deletion"
    }
}

/// What one sweep did.
public struct RetentionSweep: Sendable, Equatable {
    public var at: Date
    /// Segments deleted because they were older than `retention.days`.
    public var expiredFiles = 0
    public var expiredBytes: Int64 = 0
    /// Segments deleted because free space was below the reserve.
    public var pressureFiles = 0
    public var pressureBytes: Int64 = 0
    /// Empty folders of cameras no longer recorded that were removed.
    public var prunedFolders: [String] = []
    /// Files that could not be deleted (kept in the index; tried again next sweep).
    public var failures = 0
    /// How long the sweep took, seconds.
    public var duration: Double = 0

    public var deletedFiles: Int { expiredFiles + pressureFiles }
    public var deletedBytes: Int64 { expiredBytes + pressureBytes }
}

/// What the startup scan found.
public struct RetentionScanSummary: Sendable, Equatable {
    public var cameras: [String]
    public var segments: Int
    public var bytes: Int64
    /// Files in the store that are not our segments: counted, the first 100 named, never deleted.
    public var foreignFileCount: Int
    public var foreignFiles: [String]
    /// Each camera's last segment from before the start (torn if the agent died while writing it):
    /// checked with libavformat; playable ones are kept and counted here.
    public var tornKept: Int
    /// Last segments that held no frame at all (nothing to lose): deleted, named here.
    public var tornDiscarded: [String]
    public var duration: Double
}

/// Retention facts of the whole box.
public struct RetentionFacts: Sendable, Equatable {
    public var at: Date
    public var requiredDays: Int
    public var cameras: [CameraRetentionFacts]
    public var space: RetentionSpace?
    /// Sum of the recorded rates of the cameras recording in the last hour, kbit/s.
    public var writeKbps: Double
    /// Days the disk holds at that rate.
    public var projection: RetentionProjection?
    /// Set while free space is below the reserve (an episode lasts until an hour passes without pressure).
    public var diskPressureSince: Date?
    public var lastSweep: RetentionSweep?
    public var scan: RetentionScanSummary?
}

/// A state change the heartbeat reports once.
public struct RetentionEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case diskPressure, diskPressureCleared, retentionShortfall, retentionRestored }
    public var at: Date
    public var kind: Kind
    public var camera: String?
    public var message: String
}
