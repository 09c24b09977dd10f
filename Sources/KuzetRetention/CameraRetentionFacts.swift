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
    /// Segments named while the wall clock was untrusted (kept: never deleted by age).
    public var untrustedSegments = 0
}
