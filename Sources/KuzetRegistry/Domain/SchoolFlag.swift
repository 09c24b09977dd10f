import Foundation

/// A problem the registry sees at a school (or one of its cameras). Flags are computed from the
/// latest heartbeat and the registry's clock; each carries the moment it started.
public enum SchoolFlag: String, Codable, Sendable, CaseIterable, Comparable {
    /// No heartbeat for `FlagPolicy.offlineAfterIntervals` reporting intervals (or never reported).
    case offline = "OFFLINE"
    /// A camera that should record is not recording.
    case notRecording = "NOT_RECORDING"
    /// A push to the ЦОУ is failing, or nothing reaches the ЦОУ at all (no working push, no relay client).
    case notDelivering = "NOT_DELIVERING"
    /// Achieved retention below the legal minimum (30 days), or the agent reports a shortfall.
    case retentionBelowMinimum = "RETENTION_BELOW_MINIMUM"
    /// Free space below the agent's `retention.min_free_percent`.
    case diskPressure = "DISK_PRESSURE"
    /// The agent's clock differs from the registry's by more than `FlagPolicy.clockSkewSeconds`.
    case clockSkew = "CLOCK_SKEW"
    /// The agent says it cannot trust its own clock (not NTP-synchronised and not confirmed by the
    /// registry, or stepped since): it deletes nothing by age until it can (issue 26).
    case clockUntrusted = "CLOCK_UNTRUSTED"
    /// The school's heartbeat names a region other than the one the registry gave it
    /// (`token create --role school --region`). Recorded, never obeyed: the school stays where it
    /// was registered, and only that region's viewers see it.
    case regionMismatch = "REGION_MISMATCH"
    // Issue 21 (provable retention): kept with the challenges and the device key, not in `school_flags`.
    /// The newest resolved retention challenge failed: a wrong, missing or late answer.
    case retentionUnproven = "RETENTION_UNPROVEN"
    /// A heartbeat was refused: not signed by the school's pinned device key (`school rekey` allows a new one).
    case deviceKeyMismatch = "DEVICE_KEY_MISMATCH"
    /// Issue 23: a camera's picture is flagged by the agent's picture-health checks (dark, uniform,
    /// frozen, blurred, moved, no_video): the cameras and their reasons are in the camera states.
    case cameraObstructed = "CAMERA_OBSTRUCTED"

    public static func < (lhs: SchoolFlag, rhs: SchoolFlag) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A flag that is set, and since when.
public struct FlagMark: Codable, Sendable, Equatable {
    public var flag: SchoolFlag
    public var since: Date
    public init(flag: SchoolFlag, since: Date) {
        self.flag = flag
        self.since = since
    }
}

extension [FlagMark] {
    /// The moment `flag` started, if it is set.
    public func since(_ flag: SchoolFlag) -> Date? { first { $0.flag == flag }?.since }
}
