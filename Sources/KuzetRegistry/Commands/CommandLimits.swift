import Foundation

/// What the registry accepts in a command (the wire contract of issue 22; the agent checks again).
public enum CommandLimits {
    /// Live view at most an hour.
    public static let maximumLiveSeconds = 3600
    /// A clip covers at most an hour of footage.
    public static let maximumClipSeconds = 3600
    /// A command expires at most 15 minutes after it was issued (and by default then).
    public static let lifetime: TimeInterval = 15 * 60
    /// Live view when the request names no duration.
    public static let defaultLiveSeconds = 300
    /// A camera id as the agent's configuration allows it.
    public static let maximumCameraLength = 64
    /// A message in a status report, kept up to this many characters.
    public static let maximumMessageLength = 500
}
