import Foundation

/// The thresholds flags are computed with. One policy per registry (all instances sharing a
/// database should use the same).
public struct FlagPolicy: Sendable, Equatable {
    /// OFFLINE once this many reporting intervals pass without a heartbeat.
    public var offlineAfterIntervals: Double = 3
    /// RETENTION_BELOW_MINIMUM under this many days of achieved retention (the legal minimum).
    public var minimumRetentionDays: Double = 30
    /// CLOCK_SKEW when the agent's clock is off by more than this.
    public var clockSkewSeconds: Double = 120

    public init(offlineAfterIntervals: Double = 3, minimumRetentionDays: Double = 30, clockSkewSeconds: Double = 120) {
        self.offlineAfterIntervals = offlineAfterIntervals
        self.minimumRetentionDays = minimumRetentionDays
        self.clockSkewSeconds = clockSkewSeconds
    }
}
