import Foundation

/// The wall clock moved against the monotonic clock by more than the step tolerance: set by hand,
/// stepped by NTP, or jumped (a dead RTC battery, a firmware bug).
public struct ClockStep: Sendable, Equatable, Codable {
    /// The wall clock just after the step.
    public var at: Date
    /// How far it moved: positive is forward, negative backward.
    public var seconds: Double

    public init(at: Date, seconds: Double) {
        self.at = at
        self.seconds = seconds
    }
}
