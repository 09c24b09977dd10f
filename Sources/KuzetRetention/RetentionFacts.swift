import Foundation
import KuzetCore

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
    /// Age-based deletion is held back: the wall clock is not trusted (disk pressure still deletes).
    public var ageDeletionHeld = false
}
