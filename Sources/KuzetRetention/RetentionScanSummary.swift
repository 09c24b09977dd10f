import Foundation
import KuzetCore

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
